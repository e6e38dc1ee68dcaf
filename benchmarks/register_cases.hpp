#pragma once
// What the Google Benchmark suites of the named cases (sched_bench.cpp, sync_bench.cpp)
// share. A case is timed as weft-bench and the peers time it, so that the figures compare:
// one warm-up iteration, then manual time, the time an iteration measured itself (a driver
// task timing from its first poll), and `ns_per_op` the mean per op. Every case runs at 1
// and 2 workers, on one Runtime per benchmark run built before the timed loop.

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <weft/weft.hpp>

namespace weft::bench {

// The configuration of a benchmark run: its argument is the worker count.
inline Config workers_config(const benchmark::State& state) {
  return Config::builder().worker_threads(static_cast<std::size_t>(state.range(0))).build();
}

// The timed loop. `iteration()` runs the case once and returns its `ops` and `elapsed`.
template <class Iteration>
void time_iterations(benchmark::State& state, Iteration&& iteration) {
  iteration();  // warm-up
  std::uint64_t ops = 0;
  double total_ns = 0;
  for (auto _ : state) {
    const auto result = iteration();
    const double ns = std::chrono::duration<double, std::nano>(result.elapsed).count();
    state.SetIterationTime(ns * 1e-9);
    total_ns += ns;
    ops += result.ops;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(ops));
  state.counters["ns_per_op"] = ops ? total_ns / static_cast<double>(ops) : 0.0;
}

// Registers `bench` for every case as "<suite>/<case name>" (the case's name(), found next
// to its type).
template <class Case>
void register_cases(std::string_view suite, std::span<const Case> cases,
                    void (*bench)(benchmark::State&, Case)) {
  for (const Case c : cases) {
    const std::string full_name = std::string(suite) + "/" + std::string(name(c));
    benchmark::RegisterBenchmark(full_name.c_str(), bench, c)
        ->ArgName("workers")
        ->Arg(1)
        ->Arg(2)
        ->UseManualTime()
        ->Unit(benchmark::kMicrosecond);
  }
}

}  // namespace weft::bench
