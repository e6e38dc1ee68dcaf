// Google Benchmark cases for the synchronisation benchmarks of sync_workloads.hpp (mpsc
// throughput, Mutex contention, Notify ping-pong, spawn_blocking round trip) at 1 and 2
// workers, timed as register_cases.hpp describes (the driver task's own measurement).

#include <benchmark/benchmark.h>

#include "register_cases.hpp"
#include "sync_workloads.hpp"

namespace {

using weft::bench::SyncCase;

void BM_Sync(benchmark::State& state, SyncCase sync_case) {
  weft::Runtime runtime(weft::bench::workers_config(state));
  weft::bench::time_iterations(
      state, [&runtime, sync_case] { return weft::bench::run_sync_once(runtime, sync_case); });
}

// Registered at load time, as the BENCHMARK macros do.
const bool registered =
    (weft::bench::register_cases("sync", weft::bench::all_sync_cases(), &BM_Sync), true);

}  // namespace
