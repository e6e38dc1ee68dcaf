#include "sched_workloads.hpp"

#include <array>
#include <atomic>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

namespace weft::bench {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::array kAll = {SchedWorkload::spawn_many_local, SchedWorkload::spawn_many_remote,
                             SchedWorkload::yield_many,       SchedWorkload::ping_pong,
                             SchedWorkload::chained_spawn,    SchedWorkload::fib};

// A countdown shared by a batch of tasks; the last to arrive sends on a oneshot that the
// driver awaits. It lives in the driver's frame, which outlives every arrival: the driver
// cannot resume before the last one has sent.
struct Countdown {
  explicit Countdown(int n) : remaining(n) {
    auto [tx, rx] = oneshot::channel<int>();
    done_tx.emplace(std::move(tx));
    done_rx.emplace(std::move(rx));
  }

  void arrive() {
    if (remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      // Move the sender out first: once send() wakes the driver, this Countdown may be
      // destroyed while the sender is still releasing its side of the channel.
      oneshot::Sender<int> tx = std::move(*done_tx);
      tx.send(1);
    }
  }

  std::atomic<int> remaining;
  std::optional<oneshot::Sender<int>> done_tx;
  std::optional<oneshot::Receiver<int>> done_rx;
};

// ---- spawn_many_local -------------------------------------------------------------------

Task<void> arrive_once(Countdown* countdown) {
  countdown->arrive();
  co_return;
}

Task<void> spawn_many_local() {
  Countdown countdown(kSpawnCount);
  for (int i = 0; i < kSpawnCount; ++i) weft::spawn(arrive_once(&countdown)).detach();
  co_await *countdown.done_rx;
}

// ---- spawn_many_remote ------------------------------------------------------------------

Task<void> empty_task() {
  co_return;
}

Task<void> await_each(std::vector<JoinHandle<void>>* handles) {
  for (JoinHandle<void>& handle : *handles) co_await handle;
  handles->clear();
}

std::chrono::nanoseconds spawn_many_remote(Runtime& runtime,
                                           std::vector<JoinHandle<void>>& handles) {
  const auto start = Clock::now();
  for (int i = 0; i < kSpawnCount; ++i) handles.push_back(runtime.spawn(empty_task()));
  runtime.block_on(await_each(&handles));
  return Clock::now() - start;
}

// ---- yield_many -------------------------------------------------------------------------

Task<void> yield_then_arrive(Countdown* countdown) {
  for (int i = 0; i < kYieldsPerTask; ++i) co_await yield_now();
  countdown->arrive();
}

Task<void> yield_many() {
  Countdown countdown(kYieldTasks);
  for (int i = 0; i < kYieldTasks; ++i) weft::spawn(yield_then_arrive(&countdown)).detach();
  co_await *countdown.done_rx;
}

// ---- ping_pong --------------------------------------------------------------------------

Task<void> pong(oneshot::Sender<int> to_a, oneshot::Receiver<int> from_a) {
  to_a.send(1);
  co_await from_a;
}

Task<void> ping() {
  auto [to_a, from_b] = oneshot::channel<int>();
  auto [to_b, from_a] = oneshot::channel<int>();
  JoinHandle<void> b = weft::spawn(pong(std::move(to_a), std::move(from_a)));
  co_await from_b;
  to_b.send(1);
  co_await b;
}

Task<void> ping_pong() {
  for (int i = 0; i < kPingRounds; ++i) co_await weft::spawn(ping());
}

// ---- chained_spawn ----------------------------------------------------------------------

void chain_link(oneshot::Sender<int> done, int remaining);

Task<void> chain_task(oneshot::Sender<int> done, int remaining) {
  chain_link(std::move(done), remaining);
  co_return;
}

// Spawns the next link, or signals at depth 0: kChainDepth spawns in all.
void chain_link(oneshot::Sender<int> done, int remaining) {
  if (remaining == 0) {
    done.send(1);
  } else {
    weft::spawn(chain_task(std::move(done), remaining - 1)).detach();
  }
}

Task<void> chained_spawn() {
  auto [tx, rx] = oneshot::channel<int>();
  chain_link(std::move(tx), kChainDepth);
  co_await rx;
}

// ---- fib --------------------------------------------------------------------------------

// fib(n) spawns fib(n - 1) as a task, computes fib(n - 2) inline (symmetric transfer into
// a child Task; like the Tokio peer, no coroutine at all when n - 2 < 2), then joins.
Task<std::uint64_t> fib(int n) {
  if (n < 2) co_return static_cast<std::uint64_t>(n);
  JoinHandle<std::uint64_t> left = weft::spawn(fib(n - 1));
  std::uint64_t right = static_cast<std::uint64_t>(n - 2);
  if (n - 2 >= 2) right = co_await fib(n - 2);
  const std::uint64_t left_value = co_await left;
  co_return left_value + right;
}

Task<void> fib_root() {
  const std::uint64_t result = co_await fib(kFibN);
  if (result != fib_value(kFibN)) {
    throw std::runtime_error("fib(" + std::to_string(kFibN) + ") gave " + std::to_string(result));
  }
}

// ---- driver -----------------------------------------------------------------------------

// The driver task: runs one in-task workload and returns how long it took, measured from
// the driver's first poll.
Task<std::int64_t> timed_in_task(SchedWorkload workload) {
  const auto start = Clock::now();
  switch (workload) {
    case SchedWorkload::spawn_many_local:
      co_await spawn_many_local();
      break;
    case SchedWorkload::yield_many:
      co_await yield_many();
      break;
    case SchedWorkload::ping_pong:
      co_await ping_pong();
      break;
    case SchedWorkload::chained_spawn:
      co_await chained_spawn();
      break;
    case SchedWorkload::fib:
      co_await fib_root();
      break;
    case SchedWorkload::spawn_many_remote:
      throw std::logic_error("spawn_many_remote does not run in a driver task");
  }
  co_return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count();
}

}  // namespace

std::span<const SchedWorkload> all_sched_workloads() noexcept {
  return kAll;
}

std::string_view name(SchedWorkload workload) noexcept {
  switch (workload) {
    case SchedWorkload::spawn_many_local:
      return "spawn_many_local";
    case SchedWorkload::spawn_many_remote:
      return "spawn_many_remote";
    case SchedWorkload::yield_many:
      return "yield_many";
    case SchedWorkload::ping_pong:
      return "ping_pong";
    case SchedWorkload::chained_spawn:
      return "chained_spawn";
    case SchedWorkload::fib:
      return "fib";
  }
  return "?";
}

std::optional<SchedWorkload> parse_sched_workload(std::string_view text) noexcept {
  for (SchedWorkload workload : kAll) {
    if (name(workload) == text) return workload;
  }
  return std::nullopt;
}

std::uint64_t ops_per_iteration(SchedWorkload workload) noexcept {
  switch (workload) {
    case SchedWorkload::spawn_many_local:
    case SchedWorkload::spawn_many_remote:
      return kSpawnCount;  // spawned tasks
    case SchedWorkload::yield_many:
      return std::uint64_t{kYieldTasks} * kYieldsPerTask;  // yields
    case SchedWorkload::ping_pong:
      return kPingRounds;  // rounds
    case SchedWorkload::chained_spawn:
      return kChainDepth;  // spawns
    case SchedWorkload::fib:
      return fib_value(kFibN + 1) - 1;  // spawned tasks: T(n) = 1 + T(n-1) + T(n-2)
  }
  return 1;
}

SchedRunner::SchedRunner(Runtime& runtime, SchedWorkload workload)
    : runtime_(runtime), workload_(workload) {
  if (workload_ == SchedWorkload::spawn_many_remote) handles_.reserve(kSpawnCount);
}

IterationResult SchedRunner::run_once() {
  IterationResult result;
  result.ops = ops_per_iteration(workload_);
  if (workload_ == SchedWorkload::spawn_many_remote) {
    result.elapsed = spawn_many_remote(runtime_, handles_);
  } else {
    result.elapsed = std::chrono::nanoseconds(runtime_.block_on(timed_in_task(workload_)));
  }
  return result;
}

}  // namespace weft::bench
