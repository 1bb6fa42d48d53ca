// The one RequestWatch: each event of a request fanned out to the instruments that note it.
#include "lab/server/request_watch.hpp"

#include <optional>

#include <unistd.h>

#include "lab/compute/python_turns.hpp"
#include "lab/server/arrival.hpp"
#include "lab/server/explain.hpp"
#include "lab/server/live_events.hpp"
#include "lab/server/loop_monitor.hpp"
#include "lab/server/server_stats.hpp"

namespace lab {
namespace {

// A request's bytes that waited at least this long in the socket are told and drawn as waiting;
// shorter waits are the usual instant between a packet's arrival and the loop's read.
constexpr std::int64_t seen_waiting_us = 1000;

// How --explain names a route's work as it starts ("#7 starts waiting 100 ms") and once done.
struct WorkWords {
    const char* starts = "";
    const char* done = "";
};
WorkWords words_for(Route::Kind kind) {
    switch (kind) {
        case Route::Kind::cpu: return {"starts computing for", "computation"};
        case Route::Kind::db: return {"asks PostgreSQL to sleep", "query"};
        case Route::Kind::user: return {"asks PostgreSQL for user", "lookup"};
        case Route::Kind::fetch: return {"calls downstream /delay for", "call"};
        case Route::Kind::cache: return {"asks Redis, waiting up to", "cache call"};
        default: return {"starts waiting", "wait"};
    }
}

// Tells the class when the loop read a request, and how long its bytes had waited in the socket
// first (`waited_since`: the kernel's stamp of their arrival, or 0).
void explain_read(long id, const Request& req, std::int64_t read_us, std::int64_t waited_since) {
    std::string what = std::string(req.method_string()) + " " + std::string(req.target());
    if (waited_since > 0)
        explain(
            "#{} {} read by the loop {:.1f} ms after it arrived: it waited in its socket until the "
            "loop was free",
            id, what, static_cast<double>(read_us - waited_since) / 1000.0);
    else explain("#{} {} read by the loop as it arrived", id, what);
}

void explain_start(long id, const Route& r, const WorkWords& words) {
    const char* task = r.background ? "background task " : "";
    if (r.kind == Route::Kind::user) explain("#{} {} {}", id, words.starts, r.user_id);
    else if (r.kind == Route::Kind::delay &&
             !explained_wait.empty())  // how this mode waits: the lesson
        explain("#{} {}{} {} ms, {}", id, task, words.starts, r.amount.count() / 1000,
                explained_wait);
    else explain("#{} {}{} {} ms", id, task, words.starts, r.amount.count() / 1000);
}

// Where and how long a request's work ran.
void explain_work(long id, const char* what, const ServiceRecord& served) {
    if (!explaining) return;  // (its arguments would cost a system call, gettid, every request)
    explain("#{} {} done: {:.1f} ms, on {} {}", id, what,
            static_cast<double>(served.end_us - served.start_us) / 1000.0,
            served.thread_id == gettid() ? "the loop's thread" : "pool thread", served.thread_id);
}

class ServerWatch final : public RequestWatch {
public:
    ServerWatch(asio::any_io_executor loop, int client_port)
        : loop_(std::move(loop)), client_port_(client_port) {}
    // A background task's watch (counted running until it goes, however its work ended).
    ServerWatch(const ServerWatch& answered, bool)
        : ServerWatch(answered.loop_, answered.client_port_) {
        id_ = answered.id_;
        in_background_ = true;
        ++server_stats().background_running;
    }
    ~ServerWatch() override {
        if (!in_background_) return;
        --server_stats().background_running;
        ++server_stats().background_done;
    }

    void reading(TimedSocket& stream, beast::flat_buffer& buffer) override {
        arrived_us_ = 0;
        if (!stamping_arrivals() || buffer.size() != 0)
            return;  // (bytes in the buffer came with the last request)
        auto room = buffer.prepare(RequestParser::most_header_bytes);
        WaitingBytes waiting =
            read_waiting(stream.socket().native_handle(), room.data(), room.size());
        buffer.commit(static_cast<std::size_t>(waiting.bytes));
        arrived_us_ = waiting.arrived_us;
    }

    // Its number, when it was read (and since when its bytes had waited, if the kernel stamped
    // them), in --explain and on the live channel, which names a request by its client's port.
    asio::awaitable<void> read(const Request& req) override {
        python_turn(loop_);  // the loop's callback for the bytes read (data_received)
        id_ = ++server_stats().requests_received;
        ++server_stats().in_service;
        read_us_ = monotonic_us();
        const std::int64_t waited_since =
            read_us_ - arrived_us_ >= seen_waiting_us ? arrived_us_ : 0;
        explain_read(id_, req, read_us_, waited_since);
        // (a pool's hand-over carries it to the work's thread)
        live::current_request() = client_port_;
        const std::string_view target(req.target().data(), req.target().size());
        if (waited_since > 0)
            live::send_mark(live::Mark::arrived, client_port_, waited_since, target);
        live::send_mark(live::Mark::read, client_port_, read_us_, target);
        loop_monitor().handler_started(target);
        co_await next_python_turn();  // the task's first step
    }

    long number() const override { return id_; }

    void started(const Route& r) override {
        if (in_background_) {
            loop_monitor().handler_started("background task");
            live::current_request() = client_port_;
        }
        words_ = words_for(r.kind);
        explain_start(id_, r, words_);
        turns_ = loop_monitor().turns();
        handler_ = loop_monitor().handlers();
    }

    // Counted as holding the loop if the loop got no turn meanwhile.
    void done(const ServiceRecord& served) override {
        python_turn(loop_);  // the loop resumes the request's coroutine
        if (loop_monitor().turns() == turns_)
            loop_monitor().held(handler_, served.start_us, served.end_us);
        explain_work(id_, words_.done, served);
    }

    asio::awaitable<void> answered(const Response& res) override {
        --server_stats().in_service;
        ++server_stats().requests_served;
        co_await next_python_turn();  // the task's done callback
        live::send_mark(live::Mark::answered, client_port_, monotonic_us(),
                        std::to_string(res.result_int()));
        explain("#{} answered {}, {:.1f} ms after the loop read it", id_, res.result_int(),
                static_cast<double>(monotonic_us() - read_us_) / 1000.0);
        if (!then_) co_return;
        asio::co_spawn(loop_, std::move(*then_), asio::detached);
        then_.reset();
    }

    void after_answer(asio::awaitable<void> task) override { then_.emplace(std::move(task)); }

    std::unique_ptr<RequestWatch> background() override {
        return std::make_unique<ServerWatch>(*this, true);
    }

private:
    asio::any_io_executor loop_;
    int client_port_;
    bool in_background_ = false;
    long id_ = 0;
    std::int64_t arrived_us_ = 0, read_us_ = 0;
    std::int64_t turns_ = 0, handler_ = 0;  // the loop monitor's counts as the work started
    WorkWords words_;
    std::optional<asio::awaitable<void>> then_;
};

}  // namespace

std::unique_ptr<RequestWatch> watch_connection(TimedSocket& stream) {
    beast::error_code no_peer;
    return std::make_unique<ServerWatch>(stream.get_executor(),
                                         stream.socket().remote_endpoint(no_peer).port());
}

}  // namespace lab
