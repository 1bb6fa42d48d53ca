#pragma once
// Everything the server notes about a request besides serving it, behind one seam, as Ninja's
// build talks to an abstract Status: the session tells the watch what happens (a request read,
// its work started and done, its answer written) and never how each is noted. The one
// implementation, ServerWatch (request_watch.cpp), fans each event out to the instruments:
// --explain's lines, the live marks, the loop monitor, GET /stats's counts, the kernel's arrival
// stamps, and the emulated Python loop's turns under --gil (lab/compute/python_turns.hpp).
#include <memory>

#include "lab/asio.hpp"
#include "lab/server/answer.hpp"
#include "lab/timed_socket.hpp"

namespace lab {

class RequestWatch {
public:
    virtual ~RequestWatch() = default;
    // The connection is about to be read: bytes that already wait in it are taken now, with the
    // kernel's stamp of their arrival (lab/server/arrival.hpp).
    virtual void reading(TimedSocket& stream, beast::flat_buffer& buffer) = 0;
    // The loop has read a request it will serve; returns once the request's task takes its first
    // step.
    virtual asio::awaitable<void> read(const Request& req) = 0;
    virtual long number() const = 0;  // the request's, counted from 1 (--explain's #7, a 202's id)
    // The route's work starts, on this thread, and is done as `served` (the loop resumes the task).
    virtual void started(const Route& r) = 0;
    virtual void done(const ServiceRecord& served) = 0;
    // The answer is written (or left for the loop to finish writing); returns after the task's
    // done callback. A background task's work, handed over by after_answer, starts then.
    virtual asio::awaitable<void> answered(const Response& res) = 0;
    virtual void after_answer(asio::awaitable<void> task) = 0;
    // The watch of the request's background task, which runs after the answer (counted until it
    // ends).
    virtual std::unique_ptr<RequestWatch> background() = 0;
};

// The instruments' watch over one connection's requests, one at a time.
std::unique_ptr<RequestWatch> watch_connection(TimedSocket& stream);

}  // namespace lab
