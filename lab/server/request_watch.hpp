#pragma once
// Everything the server notes about a request besides serving it, behind one seam, as Ninja's
// build talks to an abstract Status: the session tells the watch what happens (a request read,
// its work started and done, its answer written) and never how each is noted. Each method is a
// notification that returns nothing, so a request sees the same bytes with any watch; this class
// itself notes nothing (a test serves with it to show that). The instruments' watch,
// watch_request (request_watch.cpp), fans each event out to --explain's lines, the live marks,
// the loop monitor and GET /stats's counts.
#include <cstdint>
#include <memory>

#include "lab/server/answer.hpp"

namespace lab {

class RequestWatch {
public:
    virtual ~RequestWatch() = default;
    // The request's bytes waited in the socket since `at_us`, the kernel's stamp of their arrival
    // (0: none waited), told only by a server that asks for stamps (read_request).
    virtual void arrived(std::int64_t /*at_us*/) {}
    // The loop has read request `number` (the server's count: --explain's #7, a 202's task id).
    virtual void read(const Request& /*req*/, long /*number*/) {}
    // The route's work starts, on this thread (a background task's: after the answer), and is
    // done as `served`.
    virtual void started(const Route& /*r*/) {}
    virtual void done(const ServiceRecord& /*served*/) {}
    // The answer is written (or left for the loop to finish writing); `task_follows`: a
    // background task does the route's work after it, told to this watch (counted until it goes).
    virtual void answered(const Response& /*res*/, bool /*task_follows*/) {}
};

// Makes the watch of one request from the client at `client_port` (the live marks' name for it).
using WatchMaker = std::unique_ptr<RequestWatch> (*)(int client_port);
std::unique_ptr<RequestWatch> watch_request(int client_port);

}  // namespace lab
