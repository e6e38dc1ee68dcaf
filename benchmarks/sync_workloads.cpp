#include "sync_workloads.hpp"

#include <array>
#include <stdexcept>
#include <string>
#include <vector>

#include <weft/runtime/blocking.hpp>
#include <weft/runtime/mpsc.hpp>
#include <weft/runtime/sync/mutex.hpp>
#include <weft/runtime/sync/notify.hpp>

namespace weft::bench {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::array kAll = {SyncCase::mpsc_bounded_1p,   SyncCase::mpsc_bounded_4p,
                             SyncCase::mpsc_unbounded_1p, SyncCase::mutex_4,
                             SyncCase::notify_pingpong,   SyncCase::spawn_blocking};

void check(bool ok, const std::string& what) {
  if (!ok) throw std::runtime_error("sync benchmark: " + what);
}

// ---- mpsc -------------------------------------------------------------------------------

// Sends first, first + 1, ... count values; the sum lets the receiver check that nothing
// was lost or duplicated.
Task<void> produce_bounded(mpsc::Sender<std::int64_t> tx, std::int64_t first, int count) {
  for (int i = 0; i < count; ++i) co_await tx.send(first + i);
}

Task<void> produce_unbounded(mpsc::UnboundedSender<std::int64_t> tx, std::int64_t first,
                             int count) {
  for (int i = 0; i < count; ++i) tx.send(first + i);
  co_return;
}

template <class Receiver>
Task<std::int64_t> receive_all(Receiver& rx) {
  std::int64_t sum = 0;
  int received = 0;
  // Not `while (auto v = co_await ...)`: g++ 12 miscompiles a co_await in a loop condition
  // (see tests/runtime/task_test.cpp).
  for (;;) {
    std::optional<std::int64_t> value = co_await rx.recv();
    if (!value) break;
    sum += *value;
    ++received;
  }
  check(received == kMpscMessages, "mpsc received " + std::to_string(received) + " messages");
  co_return sum;
}

constexpr std::int64_t kMpscSum =
    static_cast<std::int64_t>(kMpscMessages) * (kMpscMessages - 1) / 2;

Task<void> mpsc_bounded(int producers) {
  auto [tx, rx] = mpsc::channel<std::int64_t>(kMpscCapacity);
  const int per = kMpscMessages / producers;
  for (int p = 0; p < producers; ++p) {
    weft::spawn(produce_bounded(tx, static_cast<std::int64_t>(p) * per, per)).detach();
  }
  { auto dropped = std::move(tx); }  // the channel closes when the producers are done
  check(co_await receive_all(rx) == kMpscSum, "mpsc sum");
}

Task<void> mpsc_unbounded(int producers) {
  auto [tx, rx] = mpsc::unbounded_channel<std::int64_t>();
  const int per = kMpscMessages / producers;
  for (int p = 0; p < producers; ++p) {
    weft::spawn(produce_unbounded(tx, static_cast<std::int64_t>(p) * per, per)).detach();
  }
  { auto dropped = std::move(tx); }
  check(co_await receive_all(rx) == kMpscSum, "mpsc sum");
}

// ---- mutex_4 ----------------------------------------------------------------------------

Task<void> lock_many(Mutex<std::uint64_t>& mutex) {
  for (int i = 0; i < kMutexLocks; ++i) {
    auto guard = co_await mutex.lock();
    ++*guard;
  }
}

Task<void> mutex_contention() {
  Mutex<std::uint64_t> mutex(0);
  std::vector<JoinHandle<void>> tasks;
  tasks.reserve(kMutexTasks);
  for (int t = 0; t < kMutexTasks; ++t) tasks.push_back(weft::spawn(lock_many(mutex)));
  for (auto& task : tasks) co_await task;
  const std::uint64_t total = *mutex.try_lock().value();
  check(total == std::uint64_t{kMutexTasks} * kMutexLocks,
        "mutex count " + std::to_string(total) + " (a lost update)");
}

// ---- notify_pingpong --------------------------------------------------------------------

Task<void> pong(Notify& ping, Notify& pong_back) {
  for (int i = 0; i < kNotifyRounds; ++i) {
    co_await ping.notified();
    pong_back.notify_one();
  }
}

Task<void> notify_pingpong() {
  Notify ping;
  Notify pong_back;
  JoinHandle<void> other = weft::spawn(pong(ping, pong_back));
  for (int i = 0; i < kNotifyRounds; ++i) {
    ping.notify_one();
    co_await pong_back.notified();
  }
  co_await other;
}

// ---- spawn_blocking ---------------------------------------------------------------------

Task<void> blocking_round_trips() {
  std::int64_t sum = 0;
  for (int i = 0; i < kBlockingJobs; ++i) {
    auto handle = weft::spawn_blocking([i] { return static_cast<std::int64_t>(i); });
    sum += co_await handle;
  }
  check(sum == static_cast<std::int64_t>(kBlockingJobs) * (kBlockingJobs - 1) / 2,
        "spawn_blocking sum");
}

// ---- driver -----------------------------------------------------------------------------

Task<std::int64_t> timed_in_task(SyncCase sync_case) {
  const auto start = Clock::now();
  switch (sync_case) {
    case SyncCase::mpsc_bounded_1p:
      co_await mpsc_bounded(1);
      break;
    case SyncCase::mpsc_bounded_4p:
      co_await mpsc_bounded(4);
      break;
    case SyncCase::mpsc_unbounded_1p:
      co_await mpsc_unbounded(1);
      break;
    case SyncCase::mutex_4:
      co_await mutex_contention();
      break;
    case SyncCase::notify_pingpong:
      co_await notify_pingpong();
      break;
    case SyncCase::spawn_blocking:
      co_await blocking_round_trips();
      break;
  }
  co_return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count();
}

}  // namespace

std::span<const SyncCase> all_sync_cases() noexcept {
  return kAll;
}

std::string_view name(SyncCase sync_case) noexcept {
  switch (sync_case) {
    case SyncCase::mpsc_bounded_1p:
      return "mpsc_bounded_1p";
    case SyncCase::mpsc_bounded_4p:
      return "mpsc_bounded_4p";
    case SyncCase::mpsc_unbounded_1p:
      return "mpsc_unbounded_1p";
    case SyncCase::mutex_4:
      return "mutex_4";
    case SyncCase::notify_pingpong:
      return "notify_pingpong";
    case SyncCase::spawn_blocking:
      return "spawn_blocking";
  }
  return "?";
}

std::optional<SyncCase> parse_sync_case(std::string_view text) noexcept {
  for (SyncCase sync_case : kAll) {
    if (name(sync_case) == text) return sync_case;
  }
  return std::nullopt;
}

std::uint64_t ops_per_iteration(SyncCase sync_case) noexcept {
  switch (sync_case) {
    case SyncCase::mpsc_bounded_1p:
    case SyncCase::mpsc_bounded_4p:
    case SyncCase::mpsc_unbounded_1p:
      return kMpscMessages;
    case SyncCase::mutex_4:
      return std::uint64_t{kMutexTasks} * kMutexLocks;
    case SyncCase::notify_pingpong:
      return kNotifyRounds;
    case SyncCase::spawn_blocking:
      return kBlockingJobs;
  }
  return 1;
}

SyncIteration run_sync_once(Runtime& runtime, SyncCase sync_case) {
  SyncIteration result;
  result.ops = ops_per_iteration(sync_case);
  result.elapsed = std::chrono::nanoseconds(runtime.block_on(timed_in_task(sync_case)));
  return result;
}

}  // namespace weft::bench
