#pragma once
// The six scheduler workloads of peers/WORKLOADS.md, written once against weft's public API
// and shared by the Google Benchmark suite (sched_bench.cpp) and the weft-bench driver.
// Each follows the Tokio peer (peers/tokio/src/sched.rs): every workload but
// spawn_many_remote runs inside a driver task, which starts the clock when it is first
// polled and stops it once it has observed completion; spawn_many_remote is timed on the
// calling (non-worker) thread.

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include <weft/weft.hpp>

namespace weft::bench {

enum class SchedWorkload {
  spawn_many_local,
  spawn_many_remote,
  yield_many,
  ping_pong,
  chained_spawn,
  fib
};

inline constexpr int kSpawnCount = 10'000;    // spawn_many_local, spawn_many_remote
inline constexpr int kYieldTasks = 200;       // yield_many
inline constexpr int kYieldsPerTask = 1'000;  // yield_many
inline constexpr int kPingRounds = 1'000;     // ping_pong
inline constexpr int kChainDepth = 1'000;     // chained_spawn
inline constexpr int kFibN = 25;              // fib

constexpr std::uint64_t fib_value(int n) {
  std::uint64_t a = 0, b = 1;
  for (int i = 0; i < n; ++i) {
    const std::uint64_t next = a + b;
    a = b;
    b = next;
  }
  return a;
}

// Every workload, in the order of WORKLOADS.md.
std::span<const SchedWorkload> all_sched_workloads() noexcept;
std::string_view name(SchedWorkload workload) noexcept;
std::optional<SchedWorkload> parse_sched_workload(std::string_view name) noexcept;
// How many of the workload's unit ("op" in WORKLOADS.md) one iteration does.
std::uint64_t ops_per_iteration(SchedWorkload workload) noexcept;

struct IterationResult {
  std::uint64_t ops = 0;
  std::chrono::nanoseconds elapsed{0};
};

// Runs iterations of one workload on one runtime. Call run_once() from a thread that is
// not a worker of `runtime`. Keeps what persists across iterations (spawn_many_remote's
// pre-reserved handle vector).
class SchedRunner {
 public:
  SchedRunner(Runtime& runtime, SchedWorkload workload);

  // One iteration; throws std::runtime_error if a workload's result is wrong.
  IterationResult run_once();

  SchedWorkload workload() const noexcept { return workload_; }

 private:
  Runtime& runtime_;
  SchedWorkload workload_;
  std::vector<JoinHandle<void>> handles_;
};

}  // namespace weft::bench
