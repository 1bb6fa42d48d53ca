#pragma once
// The HTTP plumbing every mode shares: listen, read each request with Beast, route it, answer.
// A mode adds only its concurrency decision, its Handlers (lab/server/handlers.hpp).
#include "lab/asio.hpp"
#include "lab/server/handlers.hpp"
#include "lab/server/request_watch.hpp"
#include "lab/server/serve_options.hpp"
#include "lab/server/service_record.hpp"

namespace lab {

// CPU work on whichever thread runs it (the loop's, for the loop modes): there is no way to
// await a computation, only to move it elsewhere.
asio::awaitable<ServiceRecord> compute_here(Micros cpu);

// A bound, listening socket. The backlog is large so a burst of connections is never refused.
tcp::acceptor open_listener(asio::io_context& loop, const ServeOptions& options,
                            bool reuse_port = false);

// Starts the accept loop on the acceptor's executor, every connection served with `handlers` and
// each request told to a watch `watch` makes, and beside it the loop monitor (lag, slow handlers).
void serve(tcp::acceptor& acceptor, Handlers handlers, const ServeOptions& options,
           WatchMaker watch = watch_request);

// Like serve(), for connections another process accepted and handed over on `channel` (a unix
// socket carrying one TCP descriptor per message, lab/server/handoff.hpp): round-robin workers.
void serve_handed(asio::io_context& loop, int channel, tcp protocol, Handlers handlers,
                  const ServeOptions& options);

// Prints the one machine-readable line `lab run` waits for: "listening on http://HOST:PORT".
void announce(const tcp::endpoint& endpoint);

}  // namespace lab
