#include "harness/load_generator.hpp"

#include <sstream>

#include <nlohmann/json.hpp>

#include "harness/exchange.hpp"
#include "harness/job_poll.hpp"
#include "harness/sleep_until.hpp"
#include "lab/asio.hpp"
#include "lab/clock.hpp"
#include "lab/os_limits.hpp"

namespace lab {
namespace {

struct BatchState {
    const LoadSpec& spec;
    tcp::endpoint endpoint;
    std::int64_t origin_us = monotonic_us();
    std::vector<RequestRecord> records;
    int next = 0;             // the next request to take
    int answered = 0;         // requests finished, failed or not
    int still_connecting = 0;
    std::int64_t release_us = 0;
    asio::steady_timer gate;  // held until every connection is open, then cancelled: "go"
    std::int64_t last_answer_us = 0;  // when the last request was answered (or failed)

    std::int64_t now() const { return monotonic_us() - origin_us; }
    std::vector<RequestRecord> probes{};
    // Serialized once per batch: the first wave should leave as fast as it can.
    std::string request_bytes = lab::request_bytes(spec, spec.method, spec.target);
    std::string probe_bytes = lab::request_bytes(spec, "GET", spec.probe_target);
};

asio::awaitable<bool> open(beast::tcp_stream& stream, BatchState& s) {
    co_return co_await open_connection(stream, s.endpoint, s.spec.timeout);
}

asio::awaitable<bool> send(beast::tcp_stream& stream, beast::flat_buffer& buffer, BatchState& s, RequestRecord& r,
                           const std::string& bytes) {
    co_return co_await exchange(stream, buffer, bytes, s.spec.timeout, s.origin_us, r);
}

// A request of the batch: sent and answered, and, for a queued job, polled until it is done.
asio::awaitable<bool> send_and_await(beast::tcp_stream& stream, beast::flat_buffer& buffer, BatchState& s, RequestRecord& r) {
    if (!s.spec.poll_jobs) co_return co_await send(stream, buffer, s, r, s.request_bytes);
    std::string answer;
    bool is_open = co_await exchange(stream, buffer, s.request_bytes, s.spec.timeout, s.origin_us, r, &answer);
    if (!r.ok() || r.status != 202) co_return is_open;
    co_return co_await await_job(stream, buffer, s.endpoint, s.spec, s.origin_us, answer, r);
}

// Every connection waits here until all are open, so the first wave leaves at one moment.
asio::awaitable<void> wait_at_gate(BatchState& s) {
    if (--s.still_connecting == 0) {
        s.release_us = s.now();
        s.gate.cancel();
    } else {
        beast::error_code released;
        co_await s.gate.async_wait(asio::redirect_error(asio::use_awaitable, released));
    }
}

// While the batch's requests run, and probe_after past the last answer (the work of background
// tasks goes on after their answers).
bool probing(const BatchState& s) {
    return s.answered < s.spec.requests || s.now() < s.last_answer_us + std::chrono::duration_cast<Micros>(s.spec.probe_after).count();
}

// Sends probe_target every probe_every while probing(), each probe on the same connection of its
// own, to show how long a bystander waits.
asio::awaitable<void> probe(BatchState& s) {
    beast::tcp_stream stream{co_await asio::this_coro::executor};
    beast::flat_buffer buffer;
    bool is_open = co_await open(stream, s);
    co_await wait_at_gate(s);
    const std::int64_t every = std::chrono::duration_cast<Micros>(s.spec.probe_every).count();
    for (std::int64_t intended = s.release_us + every / 2; probing(s);) {
        co_await sleep_until(s.origin_us + intended);
        if (!probing(s)) break;
        RequestRecord r;
        r.index = static_cast<int>(s.probes.size());
        r.connection = -1;
        r.intended_us = intended;
        if (!is_open) {
            stream.close();
            buffer.clear();
            is_open = co_await open(stream, s);
        }
        if (is_open) {
            is_open = co_await send(stream, buffer, s, r, s.probe_bytes);
        } else {
            r.error = ErrorKind::connect;
            r.end_us = s.now();
        }
        s.probes.push_back(r);
        intended = std::max(intended + every, s.now());  // late probes are not caught up
    }
}

// The connection's own port, by which the server's live marks name its requests (0: none).
int local_port(beast::tcp_stream& stream) {
    beast::error_code ec;
    auto endpoint = stream.socket().local_endpoint(ec);
    return ec ? 0 : endpoint.port();
}

asio::awaitable<void> connection(BatchState& s, int id) {
    beast::tcp_stream stream{co_await asio::this_coro::executor};
    beast::flat_buffer buffer;
    bool is_open = co_await open(stream, s);
    std::int64_t opened_us = is_open ? s.now() : -1;
    int port = is_open && s.spec.observer ? local_port(stream) : 0;

    co_await wait_at_gate(s);
    std::int64_t intended = s.release_us + id * s.spec.stagger.count();
    co_await sleep_until(s.origin_us + intended);

    for (int i; (i = s.next++) < s.spec.requests;) {
        RequestRecord& r = s.records[static_cast<std::size_t>(i)];
        r.connection = id;
        r.intended_us = intended;
        if (!is_open) {
            buffer.clear();
            is_open = co_await open(stream, s);
            opened_us = s.now();
            if (is_open && s.spec.observer) port = local_port(stream);
            if (!is_open) {
                r.error = ErrorKind::connect;
                r.end_us = intended = s.last_answer_us = s.now();
                ++s.answered;
                continue;
            }
        }
        r.connect_us = std::exchange(opened_us, -1);
        if (s.spec.observer) s.spec.observer->sent(i, s.now(), port);
        is_open = co_await send_and_await(stream, buffer, s, r);
        if (s.spec.observer) s.spec.observer->answered(r);
        if (++s.answered; s.spec.on_answer) s.spec.on_answer(s.answered, s.spec.requests);
        intended = s.last_answer_us = s.now();
        if (!is_open) stream.close();
    }
    if (is_open) {
        beast::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    }
}

}  // namespace

std::string request_bytes(const LoadSpec& spec, const std::string& method, const std::string& target) {
    http::request<http::empty_body> req{http::string_to_verb(method), target, 11};
    bool ipv6 = spec.host.find(':') != std::string::npos;  // a Host header puts it in brackets
    req.set(http::field::host, (ipv6 ? "[" + spec.host + "]" : spec.host) + ":" + std::to_string(spec.port));
    req.set(http::field::user_agent, "concurrency-lab");
    req.keep_alive(true);
    req.prepare_payload();
    std::ostringstream out;
    out << req;
    return out.str();
}

std::string_view to_string(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::none: return "";
        case ErrorKind::connect: return "connect";
        case ErrorKind::write: return "write";
        case ErrorKind::read: return "read";
        case ErrorKind::status: return "status";
        case ErrorKind::timeout: return "timeout";
    }
    return "?";
}

void read_server_stamps(std::string_view body, std::int64_t origin_us, RequestRecord& r) {
    if (body.find("\"worker_id\"") == std::string_view::npos) return;  // e.g. /health: nothing to parse
    auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (!json.is_object()) return;
    auto number = [&](const char* key) -> std::int64_t {
        auto it = json.find(key);
        return it != json.end() && it->is_number_integer() ? it->get<std::int64_t>() : -1;
    };
    r.worker_pid = number("worker_id");
    r.thread_id = number("thread_id");
    if (auto start = number("server_start_us"), end = number("server_end_us"); start >= 0 && end >= 0) {
        r.server_start_us = start - origin_us;
        r.server_end_us = end - origin_us;
    }
    if (auto start = number("db_start_us"), end = number("db_end_us"); start > 0 && end > 0) {
        r.db_start_us = start - origin_us;
        r.db_end_us = end - origin_us;
    }
}

Batch run_concurrent_batch(const LoadSpec& spec, int batch_number) {
    raise_open_file_limit();
    asio::io_context context{1};
    BatchState s{spec, {asio::ip::make_address(spec.host), spec.port}, monotonic_us(), {}, 0, 0, 0, 0,
                 asio::steady_timer{context, asio::steady_timer::time_point::max()}};
    s.records.resize(static_cast<std::size_t>(spec.requests));
    for (int i = 0; i < spec.requests; ++i) {
        s.records[static_cast<std::size_t>(i)].batch = batch_number;
        s.records[static_cast<std::size_t>(i)].index = i;
    }
    if (spec.observer) spec.observer->batch_started(batch_number, s.origin_us, spec.requests);
    int connections = std::min(spec.concurrency, spec.requests);
    s.still_connecting = connections + (spec.probe_target.empty() ? 0 : 1);
    for (int id = 0; id < connections; ++id)
        asio::co_spawn(context, connection(s, id), asio::detached);
    if (!spec.probe_target.empty()) asio::co_spawn(context, probe(s), asio::detached);
    // A server that has stopped answering (SIGSTOP, a deadlock) would otherwise keep the batch
    // until every request's own timeout: past the deadline, stop and say so.
    auto give_up = std::chrono::steady_clock::now() +
                   (spec.deadline.count() > 0 ? spec.deadline : std::chrono::milliseconds(std::chrono::hours(24)));
    bool cut_off = false;
    while (!context.stopped())  // until every request is done (the context runs out of work)
        if (context.run_one_until(give_up) == 0 && std::chrono::steady_clock::now() >= give_up) {
            cut_off = true;  // what is still pending is abandoned with the context
            break;
        }
    if (cut_off)
        for (RequestRecord& r : s.records)
            if (r.end_us < 0 || (spec.poll_jobs && r.ok() && r.done_us < 0)) {  // unanswered (or not done) when the time was up
                r.error = ErrorKind::timeout;
                (r.end_us < 0 ? r.end_us : r.done_us) = s.now();
            }
    for (auto& p : s.probes) p.batch = batch_number;
    Batch batch{batch_number, std::move(s.records), std::move(s.probes)};
    batch.cut_off = cut_off;
    return batch;
}

}  // namespace lab
