// The Reactor as the scheduler's IdleDriver (the shared reactor mode): a thread that drives
// dispatches events itself, only one thread drives at a time, and interrupt() ends a wait.
#include <weft/io/reactor.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include "io_test_support.hpp"

namespace {

using namespace weft_io_test;
using weft::Context;
using weft::io::Direction;
using weft::io::Reactor;
using weft::io::ReactorOptions;

ReactorOptions shared_mode() {
  ReactorOptions options = test_reactor_options();
  options.idle_workers_drive = true;
  return options;
}

bool until_flag(void* flag) {
  return !static_cast<std::atomic<bool>*>(flag)->load();
}

// drive_while() until it gets the driver token: the reactor thread's fallback check may hold it
// for a moment (it polls when no turn ran for 1 ms, which is always the case in these tests).
template <class Context>
bool drive_once_taken(Reactor& reactor, bool (*keep_waiting)(void*), Context* context) {
  return eventually([&] { return reactor.drive_while(keep_waiting, context); });
}

TEST(IdleDriver, ADrivingThreadDispatchesReadinessItself) {
  Probe probe;
  Reactor reactor(shared_mode());
  auto pair = make_socketpair();
  const auto handle = reactor.register_fd(pair.first.get());
  drain(pair.first.get());
  const weft::Waker waker = probe.waker();
  Context cx(waker);
  // Register interest; the first poll may see the initial edge, so drain until it waits.
  while (reactor.poll_ready(handle, Direction::read, cx)) {
    const auto seen = reactor.readiness(handle, Direction::read);
    drain(pair.first.get());
    reactor.clear_readiness(handle, seen);
  }
  // The byte is written by the driving thread itself, once it holds the token, so the event
  // can only be dispatched by its own turn (not by the reactor thread's fallback check).
  struct Drive {
    Probe* probe;
    weft::io::NativeHandle peer;
    bool written = false;
  } drive{&probe, pair.second.get()};
  const auto before = reactor.metrics().worker_turns;
  EXPECT_TRUE(drive_once_taken(
      reactor,
      [](void* context) {
        auto* d = static_cast<Drive*>(context);
        if (!d->written) {
          write_byte(d->peer);
          d->written = true;
        }
        return d->probe->wakes.load() == 0;
      },
      &drive));
  EXPECT_EQ(probe.wakes.load(), 1);
  EXPECT_GT(reactor.metrics().worker_turns, before);
}

TEST(IdleDriver, InterruptEndsAWaitPromptly) {
  Reactor reactor(shared_mode());
  std::atomic<bool> stop{false};
  std::atomic<bool> driving{false};
  std::thread driver([&] {
    driving.store(true);
    EXPECT_TRUE(drive_once_taken(reactor, &until_flag, &stop));
  });
  ASSERT_TRUE(eventually([&] { return driving.load(); }));
  stop.store(true);
  reactor.interrupt();  // without it the driver would wait in epoll with no timeout
  driver.join();
}

TEST(IdleDriver, OnlyOneThreadDrivesAtATime) {
  Reactor dedicated(test_reactor_options());  // its own thread holds the driver for good
  std::atomic<bool> stop{false};
  EXPECT_FALSE(dedicated.drive_while(&until_flag, &stop));
  dedicated.dispatch_ready();  // a no-op while another thread drives
  EXPECT_EQ(dedicated.metrics().worker_turns, 0u);

  Probe probe;  // outlives the reactor, which drops the timers' wakers when it goes
  Reactor shared(shared_mode());
  struct Flags {
    Reactor* reactor;
    weft::Waker waker;
    std::atomic<bool> stop{false};
    std::atomic<bool> inside{false};
  } flags{&shared, probe.waker()};
  std::thread driver([&] {
    EXPECT_TRUE(drive_once_taken(
        shared,
        [](void* context) {
          auto* f = static_cast<Flags*>(context);
          // drive_while() also asks before it has the token, so being asked proves nothing;
          // a turn counted for a driving thread does. A timer due in a millisecond makes
          // each turn end by then, so a driver holding the token is asked again soon.
          if (f->reactor->metrics().worker_turns > 0) f->inside.store(true);
          f->reactor->add_timer(Reactor::Clock::now() + std::chrono::milliseconds(1), f->waker);
          return !f->stop.load();
        },
        &flags));
  });
  ASSERT_TRUE(eventually([&] { return flags.inside.load(); }));
  EXPECT_FALSE(shared.drive_while(&until_flag, &stop)) << "a second driver got in";
  flags.stop.store(true);
  shared.interrupt();
  driver.join();
  EXPECT_TRUE(drive_once_taken(shared, &until_flag, &flags.stop)) << "the driver was not released";
}

// What the reactor thread's safety net makes of the scheduler's progress count
// (watch_progress). Nobody drives here, so IO would go unseen; the thread's choice depends only
// on whether the count moved since its previous check.
struct FakeProgress {
  bool moving;
  mutable std::atomic<std::uint64_t> count{0};

  static std::uint64_t read(const void* self) noexcept {
    const auto* progress = static_cast<const FakeProgress*>(self);
    return progress->moving ? progress->count.fetch_add(1) + 1 : progress->count.load();
  }
};

struct FallbackWindow {
  std::uint64_t turns = 0;            // taken by the reactor thread
  std::uint64_t left_to_workers = 0;  // checks that left IO to the workers
  std::uint64_t elapsed_ms = 0;

  // The most turns the 10 ms bound allows over the window: each turn under the bound ends at
  // least 10 ms after the previous one, and the first may come at once.
  std::uint64_t busy_limit() const { return elapsed_ms / 10 + 1; }
};

// What the reactor thread does over a 100 ms window. The sleep is the observation window of a
// time-based policy, not a synchronisation.
FallbackWindow observe_fallback(bool progress_moves) {
  const FakeProgress progress{.moving = progress_moves};
  Reactor reactor(shared_mode());
  reactor.watch_progress(&FakeProgress::read, &progress);
  const auto before = reactor.metrics();
  const auto started = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto after = reactor.metrics();
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  reactor.watch_progress(nullptr, nullptr);
  return FallbackWindow{after.turns - before.turns,
                        after.left_to_busy_workers - before.left_to_busy_workers,
                        static_cast<std::uint64_t>(elapsed.count())};
}

// Workers that keep polling tasks reach dispatch_ready() by themselves, so while the count
// moves the thread leaves the turns to them, but for no longer than 10 ms at a time.
TEST(IdleDriver, TheReactorThreadLeavesIoToBusyWorkersForAtMost10ms) {
  const FallbackWindow seen = observe_fallback(/*progress_moves=*/true);
  EXPECT_GT(seen.left_to_workers, 0u);
  EXPECT_GE(seen.turns, 1u) << "the 10 ms bound did not hold";
  EXPECT_LE(seen.turns, seen.busy_limit());
}

// Each check costs the workers' core a context switch, so checks that find busy workers back
// off (1, 2, 4, then 5 ms apart): about three per 10 ms, where checking every millisecond
// would make nine.
TEST(IdleDriver, TheReactorThreadChecksOnBusyWorkersLessOftenOverTime) {
  const FallbackWindow seen = observe_fallback(/*progress_moves=*/true);
  EXPECT_GT(seen.left_to_workers, 0u);
  EXPECT_LE(seen.left_to_workers, seen.elapsed_ms / 2);
}

// A count that stands still means every worker is stuck in one poll: the thread then covers
// for them every millisecond or so, far more often than the 10 ms bound for busy workers.
TEST(IdleDriver, TheReactorThreadCoversStuckWorkersEveryMillisecond) {
  const FallbackWindow seen = observe_fallback(/*progress_moves=*/false);
  EXPECT_EQ(seen.left_to_workers, 0u);
  EXPECT_GT(seen.turns, seen.busy_limit());
}

// Busy workers that turn often (every dispatch_ready) leave the thread nothing to cover, and
// each of its checks takes their core for a context switch, so the checks back off to 64 ms
// apart: 1 + 2 + ... + 64 ms reach that in 127 ms, about a dozen checks over the 500 ms
// window. The previous rule stopped doubling at 5 ms and made about a hundred. The bound
// leaves room for a loaded host that keeps the turning thread off its core at a few checks
// (each such check finds no turn for a millisecond, takes one itself and starts again from
// 1 ms, seven checks to climb back). With other tests on both cores that can happen often
// enough in one window to pass the bound (46 checks were seen in CI), so up to three windows
// are observed and the property must hold in one of them; the previous rule fails every one.
TEST(IdleDriver, TheReactorThreadRarelyChecksOnWorkersThatTurnOften) {
  constexpr std::uint64_t kBound = 40;
  Reactor reactor(shared_mode());
  std::atomic<bool> stop{false};
  std::thread turning([&] {
    while (!stop.load(std::memory_order_relaxed)) reactor.dispatch_ready();
  });
  std::vector<std::uint64_t> windows;
  while (windows.size() < 3 && (windows.empty() || windows.back() > kBound)) {
    const auto before = reactor.metrics().fallback_checks;
    // The observation window of a time-based policy, not a synchronisation.
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    windows.push_back(reactor.metrics().fallback_checks - before);
  }
  stop.store(true);
  turning.join();
  for (const std::uint64_t checks : windows) EXPECT_GE(checks, 1u);
  EXPECT_LE(windows.back(), kBound)
      << "checks in each 500 ms window: " << ::testing::PrintToString(windows);
}

}  // namespace
