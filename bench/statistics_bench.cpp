// How much the harness's bookkeeping costs per batch, so it never distorts what it measures.
#include <benchmark/benchmark.h>

#include "harness/statistics.hpp"

static lab::Batch synthetic_batch(int n) {
    lab::Batch batch;
    for (int i = 0; i < n; ++i) {
        lab::RequestRecord r;
        r.index = i;
        r.intended_us = 0;
        r.send_us = 10;
        r.server_start_us = 100 + i * 1000;
        r.server_end_us = r.server_start_us + 1000;
        r.end_us = r.server_end_us + 50;
        r.status = 200;
        batch.requests.push_back(r);
    }
    return batch;
}

static void summarize_batch(benchmark::State& state) {
    lab::Batch batch = synthetic_batch(static_cast<int>(state.range(0)));
    for (auto _ : state) benchmark::DoNotOptimize(lab::summarize(batch));
    state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(summarize_batch)->Arg(10)->Arg(1000)->Arg(10000);
