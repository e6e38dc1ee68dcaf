// Google Benchmark cases for the synchronisation benchmarks of sync_workloads.hpp (mpsc
// throughput, Mutex contention, Notify ping-pong, spawn_blocking round trip) at 1 and 2
// workers. As in sched_bench.cpp: one Runtime per benchmark run, manual time (the driver
// task's own measurement), `ns_per_op` the mean per op.

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <string>

#include "sync_workloads.hpp"

namespace {

using weft::bench::SyncCase;

void BM_Sync(benchmark::State& state, SyncCase sync_case) {
  weft::Runtime runtime(
      weft::Config::builder().worker_threads(static_cast<std::size_t>(state.range(0))).build());
  weft::bench::run_sync_once(runtime, sync_case);  // warm-up
  std::uint64_t ops = 0;
  double total_ns = 0;
  for (auto _ : state) {
    const weft::bench::SyncIteration result = weft::bench::run_sync_once(runtime, sync_case);
    const double ns = std::chrono::duration<double, std::nano>(result.elapsed).count();
    state.SetIterationTime(ns * 1e-9);
    total_ns += ns;
    ops += result.ops;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(ops));
  state.counters["ns_per_op"] = ops ? total_ns / static_cast<double>(ops) : 0.0;
}

void register_all() {
  for (SyncCase sync_case : weft::bench::all_sync_cases()) {
    const std::string name = "sync/" + std::string(weft::bench::name(sync_case));
    benchmark::RegisterBenchmark(name.c_str(), BM_Sync, sync_case)
        ->ArgName("workers")
        ->Arg(1)
        ->Arg(2)
        ->UseManualTime()
        ->Unit(benchmark::kMicrosecond);
  }
}

// Registered at load time, as the BENCHMARK macros do.
const bool registered = (register_all(), true);

}  // namespace
