#include "harness/open_loop.hpp"

#include <deque>

#include "harness/sleep_until.hpp"
#include "lab/asio.hpp"
#include "lab/clock.hpp"
#include "lab/os_limits.hpp"

namespace lab {
namespace {

struct Schedule {
    const OpenLoopSpec& spec;
    tcp::endpoint endpoint;
    std::int64_t origin_us = monotonic_us();
    std::string request_bytes;
    std::deque<std::size_t> due;  // requests that are due and not yet sent, oldest first
    std::vector<RequestRecord> records;
    bool all_scheduled = false;
    asio::steady_timer wake;      // cancelled to wake connections waiting for work
    OpenLoopResult result;

    std::int64_t now() const { return monotonic_us() - origin_us; }
};

// One request on `stream` (opened if it is not); fills in `r` and returns whether it stays open.
asio::awaitable<bool> exchange(Schedule& s, beast::tcp_stream& stream, beast::flat_buffer& buffer, bool is_open,
                               const std::string& bytes, RequestRecord& r) {
    beast::error_code ec;
    stream.expires_after(s.spec.base.timeout);
    if (!is_open) {
        buffer.clear();
        co_await stream.async_connect(s.endpoint, asio::redirect_error(asio::use_awaitable, ec));
        r.connect_us = s.now();
        if (ec) {
            r.error = ec == beast::error::timeout ? ErrorKind::timeout : ErrorKind::connect;
            r.end_us = s.now();
            co_return false;
        }
    }
    r.send_us = s.now();
    co_await asio::async_write(stream, asio::buffer(bytes), asio::redirect_error(asio::use_awaitable, ec));
    http::response_parser<http::string_body> parser;
    parser.body_limit(1 << 20);
    if (!ec) co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    r.end_us = s.now();
    if (ec) {
        r.error = ec == beast::error::timeout ? ErrorKind::timeout : ErrorKind::read;
        stream.close();
        co_return false;
    }
    r.status = static_cast<int>(parser.get().result_int());
    r.bytes = parser.get().body().size();
    if (r.status >= 400) r.error = ErrorKind::status;
    read_server_stamps(parser.get().body(), s.origin_us, r);
    co_return parser.get().keep_alive();
}

asio::awaitable<void> connection(Schedule& s, int id) {
    beast::tcp_stream stream{co_await asio::this_coro::executor};
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
        is_open = co_await exchange(s, stream, buffer, is_open, s.request_bytes, r);
        if (r.send_us - r.intended_us > 1000) ++s.result.late_for_connection;
        if (r.ok()) {
            s.result.corrected.record(r.end_us - r.intended_us);
            s.result.uncorrected.record(r.end_us - r.send_us);
        }
    }
}

// Makes each request due at its time, and notes when the harness itself could not keep up.
asio::awaitable<void> scheduler(Schedule& s) {
    const double interval_us = 1e6 / s.spec.rate;
    for (std::size_t i = 0; i < s.records.size(); ++i) {
        auto due_us = static_cast<std::int64_t>(static_cast<double>(i) * interval_us) + 1000;
        co_await sleep_until(s.origin_us + due_us);
        s.result.harness_slip_us = std::max(s.result.harness_slip_us, s.now() - due_us);
        s.records[i].intended_us = due_us;
        s.due.push_back(i);
        s.wake.cancel_one();
    }
    s.all_scheduled = true;
    s.wake.cancel();
}

asio::awaitable<void> stall(Schedule& s) {
    RequestRecord r;
    r.connection = -1;
    r.intended_us = std::chrono::duration_cast<Micros>(s.spec.stall_at).count();
    co_await sleep_until(s.origin_us + r.intended_us);
    beast::tcp_stream stream{co_await asio::this_coro::executor};
    beast::flat_buffer buffer;
    co_await exchange(s, stream, buffer, false, request_bytes(s.spec.base, "GET", s.spec.stall_target), r);
    s.result.batch.probes.push_back(r);
}

}  // namespace

OpenLoopResult run_open_loop(const OpenLoopSpec& spec, int batch_number) {
    raise_open_file_limit();
    asio::io_context context{1};
    Schedule s{spec, {asio::ip::make_address(spec.base.host), spec.base.port}, monotonic_us(),
               request_bytes(spec.base, spec.base.method, spec.base.target), {}, {}, false,
               asio::steady_timer{context, asio::steady_timer::time_point::max()}, {}};
    auto total = static_cast<std::size_t>(spec.rate * static_cast<double>(spec.duration.count()) / 1000.0);
    s.records.resize(total);
    for (std::size_t i = 0; i < total; ++i) {
        s.records[i].index = static_cast<int>(i);
        s.records[i].batch = batch_number;
    }
    asio::co_spawn(context, scheduler(s), asio::detached);
    for (int id = 0; id < spec.base.concurrency; ++id) asio::co_spawn(context, connection(s, id), asio::detached);
    if (!spec.stall_target.empty()) asio::co_spawn(context, stall(s), asio::detached);
    context.run();
    s.result.batch.number = batch_number;
    s.result.batch.requests = std::move(s.records);
    for (auto& p : s.result.batch.probes) p.batch = batch_number;
    return std::move(s.result);
}

}  // namespace lab
