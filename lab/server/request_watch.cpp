// The instruments' RequestWatch: each event of a request fanned out to those that note it.
#include "lab/server/request_watch.hpp"

#include <unistd.h>

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
    else if (r.kind == Route::Kind::delay && !explained_wait.empty())  // its wait: the lesson
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
    explicit ServerWatch(int client_port) : client_port_(client_port) {}
    // A background task's watch is counted running from its 202 until it goes, however it ended.
    ~ServerWatch() override {
        if (!in_background_) return;
        --server_stats().background_running;
        ++server_stats().background_done;
    }

    void arrived(std::int64_t at_us) override { arrived_us_ = at_us; }

    // Its number, when it was read (and since when its bytes had waited, if the kernel stamped
    // them), in --explain and on the live channel, which names a request by its client's port.
    void read(const Request& req, long number) override {
        id_ = number;
        ++server_stats().requests_received;
        ++server_stats().in_service;
        read_us_ = monotonic_us();
        const auto waited_since = read_us_ - arrived_us_ >= seen_waiting_us ? arrived_us_ : 0;
        explain_read(id_, req, read_us_, waited_since);
        // (a pool's hand-over carries it to the work's thread)
        live::current_request() = client_port_;
        const std::string_view target(req.target().data(), req.target().size());
        if (waited_since > 0)
            live::send_mark(live::Mark::arrived, client_port_, waited_since, target);
        live::send_mark(live::Mark::read, client_port_, read_us_, target);
        loop_monitor().handler_started(target);
    }

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
        if (loop_monitor().turns() == turns_)
            loop_monitor().held(handler_, served.start_us, served.end_us);
        explain_work(id_, words_.done, served);
    }

    void answered(const Response& res, bool task_follows) override {
        --server_stats().in_service;
        ++server_stats().requests_served;
        in_background_ = task_follows;
        if (task_follows) ++server_stats().background_running;
        live::send_mark(live::Mark::answered, client_port_, monotonic_us(),
                        std::to_string(res.result_int()));
        explain("#{} answered {}, {:.1f} ms after the loop read it", id_, res.result_int(),
                static_cast<double>(monotonic_us() - read_us_) / 1000.0);
    }

private:
    int client_port_;
    bool in_background_ = false;
    long id_ = 0;
    std::int64_t arrived_us_ = 0, read_us_ = 0;
    std::int64_t turns_ = 0, handler_ = 0;  // the loop monitor's counts as the work started
    WorkWords words_;
};

}  // namespace

std::unique_ptr<RequestWatch> watch_request(int client_port) {
    return std::make_unique<ServerWatch>(client_port);
}

}  // namespace lab
