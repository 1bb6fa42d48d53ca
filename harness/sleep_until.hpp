#pragma once
// Waits, without blocking the harness's loop, until a moment on the monotonic clock: how the
// harness keeps a schedule (staggered first requests, probes, open-loop due times).
#include <cstdint>

#include "lab/asio.hpp"
#include "lab/clock.hpp"

namespace lab {

inline asio::awaitable<void> sleep_until(std::int64_t monotonic_at_us) {
    std::int64_t left = monotonic_at_us - monotonic_us();
    if (left <= 0) co_return;
    asio::steady_timer timer{co_await asio::this_coro::executor, Micros(left)};
    beast::error_code ignored;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
}

}  // namespace lab
