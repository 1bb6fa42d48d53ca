#include "harness/open_loop.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <stdexcept>

#include <fmt/format.h>

#include "harness/exchange.hpp"
#include "harness/sleep_until.hpp"
#include "lab/asio.hpp"
#include "lab/clock.hpp"
#include "lab/os_limits.hpp"

namespace lab {
namespace {

// What the open loop's connections share: the requests as they fall due, and their records.
struct Schedule {
    const OpenLoopSpec& spec;
    Aim aim;
    std::string request_bytes;
    std::deque<std::size_t> due = {};  // requests that are due and not yet sent, oldest first
    std::vector<RequestRecord> records = {};
    bool all_scheduled = false;
    asio::steady_timer wake;  // cancelled to wake connections waiting for work
    OpenLoopResult result = {};

    std::int64_t now() const { return aim.now(); }
};

// One request on `stream`, opened first if it is not; returns whether it stays open. A request of
// the schedule is shown to the live view, if one watches (the stall request is not one of them).
asio::awaitable<bool> send(Schedule& s, TimedSocket& stream, beast::flat_buffer& buffer,
                           bool is_open, const std::string& bytes, RequestRecord& r,
                           bool scheduled = true) {
    LoadObserver* observer = scheduled ? s.spec.base.observer : nullptr;
    if (!is_open) {
        buffer.clear();
        stream.close();
        // (the first reason: one thread runs the schedule)
        std::string& why = s.result.batch.connect_failure;
        is_open = co_await open_connection(stream, s.aim.endpoint, s.spec.base.timeout,
                                           why.empty() ? &why : nullptr);
        r.connect_us = s.now();
        if (!is_open) {
            r.error = ErrorKind::connect;
            r.end_us = s.now();
            co_return false;
        }
    }
    // Its bar starts when it was due, as its latency does: the wait for a free connection shows.
    if (observer) observer->sent(r.index, r.intended_us, local_port(stream));
    bool stays_open = co_await exchange(stream, buffer, bytes, s.spec.base.timeout, s.aim.origin_us,
                                        r, nullptr, s.spec.base.answer_limits);
    if (observer) observer->answered(r);
    if (!stays_open) stream.close();
    co_return stays_open;
}

asio::awaitable<void> scheduled_connection(Schedule& s, int id) {
    TimedSocket stream{co_await asio::this_coro::executor};
    beast::flat_buffer buffer;
    bool is_open = false;
    for (;;) {
        while (s.due.empty() && !s.all_scheduled) {
            beast::error_code woken;
            co_await s.wake.async_wait(asio::redirect_error(asio::use_awaitable, woken));
        }
        if (s.due.empty()) break;
        RequestRecord& r = s.records[s.due.front()];
        s.due.pop_front();
        r.connection = id;
        is_open = co_await send(s, stream, buffer, is_open, s.request_bytes, r);
        account(s.result, r);
    }
}

// Makes each request due at its time, and notes when the harness itself could not keep up.
asio::awaitable<void> scheduler(Schedule& s) {
    const double interval_us = 1e6 / s.spec.rate;
    for (std::size_t i = 0; i < s.records.size(); ++i) {
        auto due_us = static_cast<std::int64_t>(static_cast<double>(i) * interval_us) + 1000;
        co_await sleep_until(s.aim.origin_us + due_us);
        s.result.harness_slip_us = std::max(s.result.harness_slip_us, s.now() - due_us);
        s.records[i].intended_us = due_us;
        s.due.push_back(i);
        s.wake.cancel_one();
    }
    s.all_scheduled = true;
    s.wake.cancel();
}

asio::awaitable<void> stall(Schedule& s) {
    RequestRecord r{.connection = -1,
                    .intended_us = std::chrono::duration_cast<Micros>(s.spec.stall_at).count()};
    co_await sleep_until(s.aim.origin_us + r.intended_us);
    TimedSocket stream{co_await asio::this_coro::executor};
    beast::flat_buffer buffer;
    co_await send(s, stream, buffer, false, request_bytes(s.spec.base, "GET", s.spec.stall_target),
                  r, false);
    s.result.batch.probes.push_back(r);
}

}  // namespace

void OpenLoopLatencies::merge(const OpenLoopLatencies& other) {
    corrected.merge(other.corrected);
    uncorrected.merge(other.uncorrected);
    late_for_connection += other.late_for_connection;
    harness_slip_us = std::max(harness_slip_us, other.harness_slip_us);
}

void account(OpenLoopLatencies& result, const RequestRecord& r) {
    if (r.send_us < 0 && r.ok()) return;  // never sent: nothing to count
    if (r.send_us - r.intended_us > 1000) ++result.late_for_connection;  // waited for a connection
    if (r.ok()) {
        result.corrected.record(r.end_us - r.intended_us);  // from when it was due
        result.uncorrected.record(r.end_us - r.send_us);  // from when it left
    }
}

std::optional<std::string> open_loop_problem(double rate, std::chrono::milliseconds duration) {
    double requests = rate * static_cast<double>(duration.count()) / 1000.0;
    const std::string figures =
        fmt::format("{:g} requests per second for {:.3f} s is {:.0f} requests", rate,
                    static_cast<double>(duration.count()) / 1000.0,
                    std::isfinite(requests) ? std::floor(requests) : 0.0);
    if (!std::isfinite(rate) || rate <= 0)
        return "the rate must be a positive number of requests per second";
    if (requests < 1) return std::string(figures) + ": the load would send no request";
    if (requests > max_open_loop_requests)
        return std::string(figures) +
               ", more than the 1,000,000 one batch keeps (every request is recorded)";
    return std::nullopt;
}

OpenLoopResult run_open_loop(const OpenLoopSpec& spec, int batch_number) {
    if (auto problem = open_loop_problem(spec.rate, spec.duration))
        throw std::invalid_argument(*problem);
    raise_open_file_limit();
    asio::io_context context{1};
    Schedule s{.spec = spec,
               .aim = {.endpoint = {asio::ip::make_address(spec.base.host), spec.base.port}},
               .request_bytes = request_bytes(spec.base, spec.base.method, spec.base.target, true),
               .wake = asio::steady_timer{context, asio::steady_timer::time_point::max()}};
    auto total =
        static_cast<std::size_t>(spec.rate * static_cast<double>(spec.duration.count()) / 1000.0);
    s.records.resize(total);
    for (std::size_t i = 0; i < total; ++i) {
        s.records[i].index = static_cast<int>(i);
        s.records[i].batch = batch_number;
    }
    if (spec.base.observer)
        spec.base.observer->batch_started(batch_number, s.aim.origin_us, static_cast<int>(total));
    BatchEnd told{spec.base.observer, batch_number};  // however the batch ends
    asio::co_spawn(context, scheduler(s), asio::detached);
    for (int id = 0; id < spec.base.concurrency; ++id)
        asio::co_spawn(context, scheduled_connection(s, id), asio::detached);
    if (!spec.stall_target.empty()) asio::co_spawn(context, stall(s), asio::detached);
    context.run();
    s.result.batch.number = batch_number;
    s.result.batch.requests = std::move(s.records);
    for (auto& p : s.result.batch.probes) p.batch = batch_number;
    return std::move(s.result);
}

}  // namespace lab
