#pragma once
// The HTTP plumbing every mode shares: listen, read each request with Beast, route it, answer.
// A mode adds only its concurrency decision, a Wait: how a request that must wait d waits.
#include <cstdint>
#include <functional>
#include <string>

#include "lab/asio.hpp"
#include "lab/server/serve_options.hpp"
#include "lab/server/service_record.hpp"

namespace lab {

using Wait = std::function<asio::awaitable<ServiceRecord>(Micros d)>;

// A bound, listening socket. The backlog is large so a burst of connections is never refused.
tcp::acceptor open_listener(asio::io_context& loop, const ServeOptions& options,
                            bool reuse_port = false);

// Starts the accept loop on the acceptor's executor; every connection is served with `wait`.
void serve(tcp::acceptor& acceptor, Wait wait);

// Prints the one machine-readable line `lab run` waits for: "listening on http://HOST:PORT".
void announce(const tcp::endpoint& endpoint);

}  // namespace lab
