// What switching costs: resuming a coroutine on an event loop, handing work to a pool thread and
// back, starting a thread, forking a process. The documents claim the first is much cheaper
// than switching OS threads; these numbers say by how much on this machine.
#include <benchmark/benchmark.h>

#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "lab/asio.hpp"

namespace {

// One suspension and resumption through the loop's queue, as an `await` that has to wait does.
void coroutine_resume_on_loop(benchmark::State& state) {
    asio::io_context loop{1};
    asio::co_spawn(
        loop,
        [&]() -> asio::awaitable<void> {
            for (auto _ : state) co_await asio::post(loop, asio::use_awaitable);
        },
        asio::detached);
    loop.run();
}
BENCHMARK(coroutine_resume_on_loop);

// run_in_threadpool: the loop hands a (trivial) job to a pool thread and resumes when it is done.
void pool_hand_off_and_back(benchmark::State& state) {
    asio::io_context loop{1};
    asio::thread_pool pool{1};
    asio::co_spawn(
        loop,
        [&]() -> asio::awaitable<void> {
            for (auto _ : state)
                co_await asio::co_spawn(
                    pool, []() -> asio::awaitable<void> { co_return; }, asio::use_awaitable);
        },
        asio::detached);
    loop.run();
    pool.join();
}
BENCHMARK(pool_hand_off_and_back)->UseRealTime();

// Two threads taking turns, as the OS switches between thread-per-request handlers.
void thread_ping_pong(benchmark::State& state) {
    std::mutex m;
    std::condition_variable cv;
    bool ball_on_other_side = false, done = false;
    std::thread other([&] {
        std::unique_lock lock(m);
        while (!done) {
            cv.wait(lock, [&] { return ball_on_other_side || done; });
            ball_on_other_side = false;
            cv.notify_one();
        }
    });
    for (auto _ : state) {
        std::unique_lock lock(m);
        ball_on_other_side = true;
        cv.notify_one();
        cv.wait(lock, [&] { return !ball_on_other_side; });
    }
    {
        std::lock_guard lock(m);
        done = true;
    }
    cv.notify_one();
    other.join();
}
BENCHMARK(thread_ping_pong)->UseRealTime();

void thread_start_and_join(benchmark::State& state) {
    for (auto _ : state) std::thread([] {}).join();
}
BENCHMARK(thread_start_and_join)->UseRealTime();

void process_fork_and_wait(benchmark::State& state) {
    for (auto _ : state) {
        pid_t pid = fork();
        if (pid == 0) _exit(0);
        waitpid(pid, nullptr, 0);
    }
}
BENCHMARK(process_fork_and_wait)->UseRealTime();

}  // namespace
