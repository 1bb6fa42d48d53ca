#include "harness/load_generator.hpp"

#include <algorithm>
#include <atomic>
#include <deque>
#include <latch>
#include <limits>
#include <memory>
#include <mutex>
#include <thread>

#include "harness/exchange.hpp"
#include "harness/job_poll.hpp"
#include "harness/sleep_until.hpp"
#include "lab/asio.hpp"
#include "lab/clock.hpp"
#include "lab/os_limits.hpp"

namespace lab {
namespace {

// What the harness's threads share: the load, the request counter, the moment they all start.
struct SharedState {
    const LoadSpec& spec;
    Aim aim;
    std::vector<std::string> request_bytes = {};  // per target of the mix, serialized once
    std::string probe_bytes = {};
    std::vector<int> endpoint_cycle = {};  // request i asks for target endpoint_cycle[i % size]
    std::atomic<int> next{0};  // the next request to take
    std::atomic<int> answered{0};  // requests finished, failed or not
    std::atomic<std::int64_t> last_answer_us{0};  // when the last request was answered (or failed)
    std::latch all_open;  // every thread's connections are open (or have failed to)
    std::mutex told{};  // the observer and on_answer are called by one thread at a time

    std::int64_t now() const { return aim.now(); }
    int endpoint_of(int i) const {
        return endpoint_cycle[static_cast<std::size_t>(i) % endpoint_cycle.size()];
    }
};

// One harness thread: its io_context, its connections' gate, its records and tallies.
struct ThreadState {
    SharedState& shared;
    const LoadSpec& spec = shared.spec;
    asio::steady_timer gate;  // held until every connection is open, then cancelled: "go"
    int still_connecting = 0;
    std::int64_t release_us = 0;
    std::int64_t stop_us = std::numeric_limits<std::int64_t>::max();  // run_for: when sending ends
    std::deque<RequestRecord> records = {};  // a deque: each connection holds on to its record
    std::vector<RequestRecord> probes = {};
    std::vector<Tally> tallies = {};
    std::int64_t not_recorded = 0;
    std::string connect_failure = {};  // the first reason a connection could not be opened
    bool cut_off = false;  // the batch's deadline passed before its work was done
    // Connections whose requests are all answered, closed only when the batch is over: closing one
    // costs both ends system calls (and the server a read of the end, a shutdown and a close),
    // which would compete with the answers yet to come (10,000 in c10k).
    std::vector<TimedSocket> finished = {};

    std::int64_t now() const { return shared.now(); }
};

asio::awaitable<bool> open(TimedSocket& stream, ThreadState& t) {
    co_return co_await open_connection(stream, t.shared.aim.endpoint, t.spec.timeout,
                                       t.connect_failure.empty() ? &t.connect_failure : nullptr);
}

// A request of the batch: sent and answered, and, for a queued job, polled until it is done.
asio::awaitable<bool> send_and_await(TimedSocket& stream, beast::flat_buffer& buffer,
                                     ThreadState& t, RequestRecord& r) {
    const std::string& bytes = t.shared.request_bytes[static_cast<std::size_t>(r.endpoint)];
    std::string answer;
    bool is_open = co_await exchange(stream, buffer, bytes, t.spec.timeout, t.shared.aim.origin_us,
                                     r, t.spec.poll_jobs ? &answer : nullptr, t.spec.answer_limits);
    if (!t.spec.poll_jobs || !r.ok() || r.status != 202) co_return is_open;
    co_return co_await await_job(stream, buffer, t.shared.aim.endpoint, t.spec,
                                 t.shared.aim.origin_us, answer, r);
}

// Every connection waits here until all are open, on every thread, so the first wave leaves at
// one moment. (The thread's last one blocks the thread for the others: its own connections are
// all waiting here anyway.)
asio::awaitable<void> wait_at_gate(ThreadState& t) {
    if (--t.still_connecting == 0) {
        t.shared.all_open.arrive_and_wait();
        t.release_us = t.now();
        if (t.spec.run_for.count() > 0)
            t.stop_us = t.release_us + std::chrono::duration_cast<Micros>(t.spec.run_for).count();
        t.gate.cancel();
    } else {
        beast::error_code released;
        co_await t.gate.async_wait(asio::redirect_error(asio::use_awaitable, released));
    }
}

// While the batch's requests run, and probe_after past the last answer (the work of background
// tasks goes on after their answers).
bool probing(const ThreadState& t) {
    if (t.spec.run_for.count() > 0) return t.now() < t.stop_us;
    return t.shared.answered < t.spec.requests ||
           t.now() < t.shared.last_answer_us +
                         std::chrono::duration_cast<Micros>(t.spec.probe_after).count();
}

// Tells whoever watches (a live view, a progress line) of a request; one thread at a time.
template <class Tell>
void tell(ThreadState& t, Tell what) {
    if (!t.spec.observer && !t.spec.on_answer) return;
    if (t.spec.threads <= 1) return what();
    std::lock_guard lock(t.shared.told);
    what();
}

// Sends probe_target every probe_every while probing(), each probe on the same connection of its
// own, to show how long a bystander waits.
asio::awaitable<void> probe(ThreadState& t) {
    TimedSocket stream{co_await asio::this_coro::executor};
    beast::flat_buffer buffer;
    bool is_open = co_await open(stream, t);
    co_await wait_at_gate(t);
    const std::int64_t every = std::chrono::duration_cast<Micros>(t.spec.probe_every).count();
    for (std::int64_t intended = t.release_us + every / 2; probing(t);) {
        co_await sleep_until(t.shared.aim.origin_us + intended);
        if (!probing(t)) break;
        RequestRecord r{
            .index = static_cast<int>(t.probes.size()), .connection = -1, .intended_us = intended};
        if (!is_open) {
            stream.close();
            buffer.clear();
            is_open = co_await open(stream, t);
        }
        if (is_open) {
            is_open = co_await exchange(stream, buffer, t.shared.probe_bytes, t.spec.timeout,
                                        t.shared.aim.origin_us, r);
        } else {
            r.error = ErrorKind::connect;
            r.end_us = t.now();
        }
        t.probes.push_back(r);
        tell(t, [&] {
            if (t.spec.observer) t.spec.observer->probe_answered(r);
        });
        intended = std::max(intended + every, t.now());  // late probes are not caught up
    }
}

// The next request for a connection of this thread, or none: all M are taken, or the time is up.
RequestRecord* take(ThreadState& t, RequestRecord& unrecorded) {
    if (t.now() >= t.stop_us) return nullptr;
    int i = t.shared.next++;
    if (t.spec.run_for.count() == 0 && i >= t.spec.requests) return nullptr;
    RequestRecord* r = &unrecorded;
    if (static_cast<std::size_t>(i) < t.spec.keep_records) {
        r = &t.records.emplace_back();
    } else {
        unrecorded = RequestRecord{};
        ++t.not_recorded;
    }
    r->index = i;
    r->endpoint = t.shared.endpoint_of(i);
    return r;
}

asio::awaitable<void> connection(ThreadState& t, int id) {
    TimedSocket stream{co_await asio::this_coro::executor};
    beast::flat_buffer buffer;
    bool is_open = co_await open(stream, t);
    std::int64_t opened_us = is_open ? t.now() : -1;
    int port = is_open && t.spec.observer ? local_port(stream) : 0;

    co_await wait_at_gate(t);
    std::int64_t intended = t.release_us + id * t.spec.stagger.count();
    co_await sleep_until(t.shared.aim.origin_us + intended);

    RequestRecord unrecorded;
    for (RequestRecord* taken; (taken = take(t, unrecorded));) {
        RequestRecord& r = *taken;
        r.connection = id;
        r.intended_us = intended;
        if (!is_open) {
            buffer.clear();
            is_open = co_await open(stream, t);
            opened_us = t.now();
            if (is_open && t.spec.observer) port = local_port(stream);
        }
        if (is_open) {
            r.connect_us = std::exchange(opened_us, -1);
            tell(t, [&] {
                if (t.spec.observer) t.spec.observer->sent(r.index, t.now(), port);
            });
            is_open = co_await send_and_await(stream, buffer, t, r) &&
                      t.spec.keep_alive;  // (else we asked to close)
            if (t.now() >= t.stop_us &&
                r.end_us > t.stop_us) {  // answered after the time was up: not counted
                r.end_us = -1;
                break;
            }
        } else {
            r.error = ErrorKind::connect;
            r.end_us = t.now();
        }
        t.tallies[static_cast<std::size_t>(r.endpoint)].add(r);
        ++t.shared.answered;
        tell(t, [&] {
            if (t.spec.observer && r.error != ErrorKind::connect)
                t.spec.observer->answered(r);  // (it was told of the sending)
            // (read in turn: the last says all)
            if (t.spec.on_answer) t.spec.on_answer(t.shared.answered, t.spec.requests);
        });
        intended = t.now();
        t.shared.last_answer_us = intended;
        if (!is_open) stream.close();
    }
    if (!is_open) co_return;
    stream.hold_open();
    t.finished.push_back(std::move(stream));
}

// Request i asks for target cycle[i % size]: each target `weight` times per cycle, spread out
// (smooth weighted round robin, as nginx balances), so any run of requests is mixed as asked.
std::vector<int> endpoint_cycle(const std::vector<WeightedTarget>& targets) {
    int total = 0;
    for (const auto& t : targets) total += std::max(t.weight, 1);
    std::vector<int> current(targets.size(), 0), cycle;
    for (int k = 0; k < total; ++k) {
        std::size_t best = 0;
        for (std::size_t j = 0; j < targets.size(); ++j) {
            current[j] += std::max(targets[j].weight, 1);
            if (current[j] > current[best]) best = j;
        }
        current[best] -= total;
        cycle.push_back(static_cast<int>(best));
    }
    return cycle;
}

// Runs this thread's connections (and the probe, on thread 0) until they are done, the batch's
// deadline passes, or run_for is over.
void run_thread(ThreadState& t, asio::io_context& context, const std::vector<int>& connection_ids,
                bool with_probe) {
    for (int id : connection_ids) asio::co_spawn(context, connection(t, id), asio::detached);
    if (with_probe) asio::co_spawn(context, probe(t), asio::detached);
    // A server that has stopped answering (SIGSTOP, a deadlock) would otherwise keep the batch
    // until every request's own timeout: past the deadline, stop and say so.
    const std::int64_t deadline_us = t.spec.deadline.count() > 0
                                         ? t.spec.deadline.count() * 1000
                                         : std::numeric_limits<std::int64_t>::max() / 2;
    while (!context.stopped()) {  // until every request is done (the context runs out of work)
        std::int64_t until_us = std::min(deadline_us, t.stop_us);
        auto until = std::chrono::steady_clock::time_point(
            Micros(t.shared.aim.origin_us + std::min(until_us, std::int64_t{1} << 50)));
        if (context.run_one_until(until) == 0 &&
            t.now() >= until_us) {  // what is pending is abandoned with the context
            t.cut_off = until_us == deadline_us;  // (run_for's end is no cut-off)
            break;
        }
    }
    // Cut off before all its connections opened: it never reached the gate, and the others must not
    // wait for it.
    if (t.still_connecting > 0) t.shared.all_open.count_down();
}

}  // namespace

Batch run_sequential_batch(const LoadSpec& spec, int batch_number) {
    LoadSpec one_at_a_time = spec;
    one_at_a_time.concurrency = one_at_a_time.threads = 1;
    one_at_a_time.keep_alive = true;
    one_at_a_time.observer = nullptr;  // (the live view draws the concurrent client's batches)
    return run_concurrent_batch(one_at_a_time, batch_number);
}

int connections_used(int requests, int concurrency, bool timed) {
    return timed ? concurrency : std::min(concurrency, requests);
}

int threads_used(int threads, int connections) {
    return std::clamp(threads, 1, std::max(1, connections));
}

// Requests never sent because the batch was cut off first: recorded as `timeout`, never dropped.
static void record_never_sent(Batch& batch, const SharedState& shared, const LoadSpec& spec) {
    for (int i = shared.next; i < spec.requests; ++i) {
        batch.cut_off = true;
        const RequestRecord r{.batch = batch.number,
                              .index = i,
                              .endpoint = shared.endpoint_of(i),
                              .end_us = shared.now(),
                              .error = ErrorKind::timeout};
        batch.tallies[static_cast<std::size_t>(r.endpoint)].add(r);
        if (static_cast<std::size_t>(i) < spec.keep_records) batch.requests.push_back(r);
    }
}

// Gather: records in the order taken, tallies merged. A batch cut off by its deadline records
// what was unanswered (or not done) then as `timeout`, and what was never sent too.
static Batch gathered(std::vector<std::unique_ptr<ThreadState>>& states, const SharedState& shared,
                      const LoadSpec& spec, std::size_t targets, int batch_number) {
    Batch batch;
    batch.number = batch_number;
    batch.tallies.resize(targets);
    const bool timed = spec.run_for.count() > 0;
    for (auto& t : states) {
        for (RequestRecord& r : t->records) {
            bool pending = r.end_us < 0 || (spec.poll_jobs && r.ok() && r.done_us < 0);
            if (pending && timed) continue;  // in flight when the time was up: not counted
            if (pending) {
                batch.cut_off = true;
                r.error = ErrorKind::timeout;
                (r.end_us < 0 ? r.end_us : r.done_us) = shared.now();
                t->tallies[static_cast<std::size_t>(r.endpoint)].add(r);
            }
            r.batch = batch_number;
            batch.requests.push_back(r);
        }
        for (RequestRecord& p : t->probes) {
            p.batch = batch_number;
            batch.probes.push_back(p);
        }
        for (std::size_t e = 0; e < targets; ++e) batch.tallies[e].merge(t->tallies[e]);
        batch.cut_off = batch.cut_off || t->cut_off;
        if (batch.connect_failure.empty()) batch.connect_failure = t->connect_failure;
    }
    if (timed) batch.unfinished = shared.next - shared.answered;
    else record_never_sent(batch, shared, spec);
    std::ranges::sort(batch.requests, {}, &RequestRecord::index);
    std::int64_t counted = 0;
    for (const Tally& t : batch.tallies) counted += t.requests;
    batch.not_recorded = counted - static_cast<std::int64_t>(batch.requests.size());
    return batch;
}

Batch run_concurrent_batch(const LoadSpec& spec, int batch_number) {
    raise_open_file_limit();
    // Connection c runs on thread c mod threads (none without one); thread 0 also sends the probes.
    const int connections =
        connections_used(spec.requests, spec.concurrency, spec.run_for.count() > 0);
    const int threads = threads_used(spec.threads, connections);
    SharedState shared{.spec = spec,
                       .aim = {.endpoint = {asio::ip::make_address(spec.host), spec.port}},
                       .all_open = std::latch{threads}};
    const auto targets = targets_of(spec);
    for (const auto& target : targets) shared.request_bytes.push_back(request_bytes(spec, target));
    shared.probe_bytes = request_bytes(spec, "GET", spec.probe_target);
    shared.endpoint_cycle = endpoint_cycle(targets);
    if (spec.observer)
        spec.observer->batch_started(batch_number, shared.aim.origin_us,
                                     spec.run_for.count() > 0 ? 0 : spec.requests);

    // (Declared in this order so that each state, and its gate timer, goes before its context; the
    // context then abandons any coroutine still pending, which touches no state as it goes.)
    std::vector<std::unique_ptr<asio::io_context>> contexts;
    std::vector<std::unique_ptr<ThreadState>> states;
    std::vector<std::vector<int>> ids(static_cast<std::size_t>(threads));
    for (int k = 0; k < threads; ++k) {
        contexts.push_back(std::make_unique<asio::io_context>(1));
        states.push_back(std::make_unique<ThreadState>(ThreadState{
            .shared = shared,
            .gate = asio::steady_timer{*contexts.back(), asio::steady_timer::time_point::max()}}));
        states.back()->tallies.resize(targets.size());
    }
    for (int id = 0; id < connections; ++id)
        ids[static_cast<std::size_t>(id % threads)].push_back(id);
    for (int k = 0; k < threads; ++k)
        states[k]->still_connecting =
            static_cast<int>(ids[k].size()) + (k == 0 && !spec.probe_target.empty() ? 1 : 0);
    auto run = [&](int k) {
        run_thread(*states[k], *contexts[k], ids[k], k == 0 && !spec.probe_target.empty());
    };
    {
        BatchEnd told{spec.observer, batch_number};  // however the batch ends
        std::vector<std::jthread> helpers;
        for (int k = 1; k < threads; ++k) helpers.emplace_back(run, k);
        run(0);
    }
    return gathered(states, shared, spec, targets.size(), batch_number);
}

}  // namespace lab
