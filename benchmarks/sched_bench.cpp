// Google Benchmark cases for the six scheduler workloads of peers/WORKLOADS.md at 1 and 2
// workers. One Runtime per benchmark run, built before the timed loop. The time of an
// iteration is the one the workload measures itself (manual time: a driver task times from
// its first poll), as weft-bench and the peers report; `ns_per_op` is the mean per op.

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <string>

#include "sched_workloads.hpp"

namespace {

using weft::bench::SchedWorkload;

void BM_Sched(benchmark::State& state, SchedWorkload workload) {
  weft::Runtime runtime(
      weft::Config::builder().worker_threads(static_cast<std::size_t>(state.range(0))).build());
  weft::bench::SchedRunner runner(runtime, workload);
  runner.run_once();  // warm-up
  std::uint64_t ops = 0;
  double total_ns = 0;
  for (auto _ : state) {
    const weft::bench::IterationResult result = runner.run_once();
    const double ns = std::chrono::duration<double, std::nano>(result.elapsed).count();
    state.SetIterationTime(ns * 1e-9);
    total_ns += ns;
    ops += result.ops;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(ops));
  state.counters["ns_per_op"] = ops ? total_ns / static_cast<double>(ops) : 0.0;
}

void register_all() {
  for (SchedWorkload workload : weft::bench::all_sched_workloads()) {
    const std::string name = "sched/" + std::string(weft::bench::name(workload));
    benchmark::RegisterBenchmark(name.c_str(), BM_Sched, workload)
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
