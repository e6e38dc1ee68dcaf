#pragma once
// The synchronisation benchmarks, written once against weft's public API and shared by the
// Google Benchmark suite (sync_bench.cpp) and `weft-bench sync` (sync_command.cpp). As for
// the scheduler workloads, each case runs inside a driver task that starts the clock when it
// is first polled and stops it once it has observed completion; the figure is ns per op.
//
//   mpsc_bounded_1p    1 producer task sends kMpscMessages ints on mpsc::channel(1024); the
//                      driver receives them all                        op: one message
//   mpsc_bounded_4p    the same with 4 producers, kMpscMessages / 4 each
//   mpsc_unbounded_1p  1 producer on mpsc::unbounded_channel
//   mutex_4            4 tasks each lock a Mutex<uint64_t> kMutexLocks times and increment
//                      the value                                        op: one lock
//   notify_pingpong    two tasks hand a turn back and forth through two Notify objects
//                      kNotifyRounds times                             op: one round (2 notifies)
//   spawn_blocking     the driver awaits kBlockingJobs spawn_blocking round trips in turn
//                                                                       op: one round trip

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include <weft/weft.hpp>

namespace weft::bench {

enum class SyncCase {
  mpsc_bounded_1p,
  mpsc_bounded_4p,
  mpsc_unbounded_1p,
  mutex_4,
  notify_pingpong,
  spawn_blocking
};

inline constexpr int kMpscMessages = 100'000;  // per iteration, over all producers
inline constexpr std::size_t kMpscCapacity = 1024;
inline constexpr int kMutexTasks = 4;
inline constexpr int kMutexLocks = 10'000;  // per task
inline constexpr int kNotifyRounds = 10'000;
inline constexpr int kBlockingJobs = 1'000;

std::span<const SyncCase> all_sync_cases() noexcept;
std::string_view name(SyncCase sync_case) noexcept;
std::optional<SyncCase> parse_sync_case(std::string_view name) noexcept;
std::uint64_t ops_per_iteration(SyncCase sync_case) noexcept;

struct SyncIteration {
  std::uint64_t ops = 0;
  std::chrono::nanoseconds elapsed{0};
};

// One iteration of `sync_case` on `runtime`, from a thread that is not one of its workers.
// Throws std::runtime_error if the case's result is wrong (a message lost, a lost update).
SyncIteration run_sync_once(Runtime& runtime, SyncCase sync_case);

}  // namespace weft::bench
