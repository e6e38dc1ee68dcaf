// Google Benchmark cases for the six scheduler workloads of peers/WORKLOADS.md at 1 and 2
// workers, timed as register_cases.hpp describes (the workload's own measurement, as
// weft-bench and the peers report).

#include <benchmark/benchmark.h>

#include "register_cases.hpp"
#include "sched_workloads.hpp"

namespace {

using weft::bench::SchedWorkload;

void BM_Sched(benchmark::State& state, SchedWorkload workload) {
  weft::Runtime runtime(weft::bench::workers_config(state));
  weft::bench::SchedRunner runner(runtime, workload);
  weft::bench::time_iterations(state, [&runner] { return runner.run_once(); });
}

// Registered at load time, as the BENCHMARK macros do.
const bool registered =
    (weft::bench::register_cases("sched", weft::bench::all_sched_workloads(), &BM_Sched), true);

}  // namespace
