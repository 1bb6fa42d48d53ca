#include "lab/accepting.hpp"

#include <chrono>
#include <cstdio>

namespace lab {

asio::awaitable<std::optional<tcp::socket>> accept_next(tcp::acceptor& acceptor, const char* who) {
    constexpr std::chrono::milliseconds retry{100};
    for (bool said = false;;) {
        beast::error_code ec;
        tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
        if (ec == asio::error::operation_aborted) co_return std::nullopt;
        if (!ec) co_return std::optional<tcp::socket>(std::move(socket));
        if (!std::exchange(said, true))
            std::fprintf(stderr, "%s: accept failed: %s; retrying every %d ms\n", who, ec.message().c_str(),
                         static_cast<int>(retry.count()));
        asio::steady_timer pause{acceptor.get_executor(), retry};
        co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (!acceptor.is_open()) co_return std::nullopt;
    }
}

}  // namespace lab
