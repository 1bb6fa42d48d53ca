#pragma once
// Taking the next connection from a listening socket, for every server of the lab (`lab serve`'s
// loop and the live view's hub), without spinning when accepting fails.
#include <optional>

#include "lab/asio.hpp"

namespace lab {

// The next connection; nullopt once the acceptor is closed. An accept that fails (EMFILE: out of
// file descriptors) leaves the connection in the backlog, so trying again at once fails again at
// once and spins a core: it is said once on stderr (`who` says whose), and tried again every
// 100 ms, while the connections already open keep being served.
asio::awaitable<std::optional<tcp::socket>> accept_next(tcp::acceptor& acceptor, const char* who);

}  // namespace lab
