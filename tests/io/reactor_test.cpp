// The Reactor through its public API: readiness, the snapshot/clear/poll_ready protocol,
// stale tokens, timers and shutdown. Wakers are hand-made Probes; every wait is bounded.
#include <weft/io/reactor.hpp>

#include <gtest/gtest.h>

#include <mutex>
#include <thread>
#include <vector>

#include <weft/scheduler/thread_waker.hpp>

#include "../common/thread_name.hpp"
#include "io_test_support.hpp"

namespace {

using namespace weft_io_test;
using weft::Context;
using weft::io::Direction;
using weft::io::Reactor;
using weft::io::Readiness;
using weft::io::RegistrationHandle;
using Clock = std::chrono::steady_clock;

std::uint32_t index_of(std::uint64_t token) {
  return static_cast<std::uint32_t>(token);
}

// Brings a registration to "nothing ready to read" the way an operation does: snapshot,
// syscall until EAGAIN, clear. Returns once the clear took (no edge raced with it).
void drain_and_clear(Reactor& reactor, const RegistrationHandle& handle) {
  ASSERT_TRUE(eventually([&] {
    const auto seen = reactor.readiness(handle, Direction::read);
    drain(handle.fd());
    reactor.clear_readiness(handle, seen);
    return !reactor.readiness(handle, Direction::read).is_ready();
  }));
}

// Fills the send buffer with the protocol: snapshot, write until EAGAIN, clear.
void fill_send_buffer(Reactor& reactor, const RegistrationHandle& handle) {
  ASSERT_TRUE(eventually([&] {
    const auto seen = reactor.readiness(handle, Direction::write);
    fill(handle.fd());
    reactor.clear_readiness(handle, seen);
    return !reactor.readiness(handle, Direction::write).is_ready();
  }));
}

// Returns once the reactor finished the turn in progress: a timer due now fires in the
// advance that follows that turn's events (or a later one).
void sync_with_reactor(Reactor& reactor) {
  Probe done;
  reactor.add_timer(Clock::now(), done.waker());
  ASSERT_TRUE(done.wait_for_wakes(1));
}

class ReactorTest : public ::testing::Test {
 protected:
  Probe probe;  // declared before the reactor: it must outlive every waker the reactor holds
  Reactor reactor{test_reactor_options()};
};

TEST_F(ReactorTest, WakesTheReaderWhenASocketBecomesReadable) {
  auto pair = make_socketpair();
  const auto handle = reactor.register_fd(pair.first.get());
  EXPECT_EQ(reactor.registrations(), 1u);

  drain_and_clear(reactor, handle);
  const weft::Waker waker = probe.waker();
  Context cx(waker);
  ASSERT_FALSE(reactor.poll_ready(handle, Direction::read, cx));
  EXPECT_EQ(probe.refs.load(), 2) << "the registration holds a copy of the waker";

  write_byte(pair.second.get());
  ASSERT_TRUE(probe.wait_for_wakes(1));
  EXPECT_EQ(probe.refs.load(), 1) << "the reactor consumed its copy";
  EXPECT_TRUE(reactor.poll_ready(handle, Direction::read, cx));
  EXPECT_EQ(drain(pair.first.get()), 1u);
  EXPECT_EQ(probe.wakes.load(), 1);
}

TEST_F(ReactorTest, AnEdgeBeforeTheWakerIsRegisteredIsNotLost) {
  auto pair = make_socketpair();
  const auto handle = reactor.register_fd(pair.first.get());
  drain_and_clear(reactor, handle);

  // The edge arrives and is processed while nobody waits...
  write_byte(pair.second.get());
  ASSERT_TRUE(eventually([&] { return reactor.readiness(handle, Direction::read).is_ready(); }));

  // ...and the task that polls afterwards sees it without waiting.
  const weft::Waker waker = probe.waker();
  Context cx(waker);
  EXPECT_TRUE(reactor.poll_ready(handle, Direction::read, cx));
  EXPECT_EQ(probe.refs.load(), 1) << "ready at once: no waker stored";
  EXPECT_TRUE(has_all(reactor.readiness(handle, Direction::read).readiness, Readiness::readable));
}

// The tick protocol: an edge that lands between a task's snapshot and its clear (i.e. after
// its syscall returned EAGAIN) must survive the clear.
TEST_F(ReactorTest, ClearingDoesNotEraseAnEdgeThatArrivedAfterTheSnapshot) {
  if (test_reactor_options().backend == weft::io::IoBackend::iocp) {
    GTEST_SKIP() << "IOCP reports data that arrives before the clear through the rearm the "
                    "clear makes, not as an edge before it (IocpPollerTest."
                    "DataThatArrivedBeforeTheRearmIsReportedByIt)";
  }
  auto pair = make_socketpair();
  const auto handle = reactor.register_fd(pair.first.get());
  write_byte(pair.second.get());
  ASSERT_TRUE(eventually([&] { return reactor.readiness(handle, Direction::read).is_ready(); }));

  const auto seen = reactor.readiness(handle, Direction::read);  // snapshot, then "syscall"
  EXPECT_EQ(drain(pair.first.get()), 1u);
  // Say the syscall that returned EAGAIN raced with new data: the new edge is applied first.
  write_byte(pair.second.get());
  ASSERT_TRUE(
      eventually([&] { return reactor.readiness(handle, Direction::read).tick != seen.tick; }));
  EXPECT_FALSE(reactor.clear_readiness(handle, seen)) << "the new edge must not be erased";

  const weft::Waker waker = probe.waker();
  Context cx(waker);
  EXPECT_TRUE(reactor.poll_ready(handle, Direction::read, cx));
  EXPECT_EQ(drain(pair.first.get()), 1u);

  // Without a racing edge the clear takes, and the task then waits for the next edge.
  const auto fresh = reactor.readiness(handle, Direction::read);
  EXPECT_EQ(drain(pair.first.get()), 0u);
  EXPECT_TRUE(reactor.clear_readiness(handle, fresh));
  EXPECT_FALSE(reactor.poll_ready(handle, Direction::read, cx));
  write_byte(pair.second.get());
  ASSERT_TRUE(probe.wait_for_wakes(1));
}

TEST_F(ReactorTest, WakesTheWriterWhenSpaceFrees) {
  auto pair = make_socketpair();
  const auto handle = reactor.register_fd(pair.first.get());
  fill_send_buffer(reactor, handle);
  const weft::Waker waker = probe.waker();
  Context cx(waker);
  ASSERT_FALSE(reactor.poll_ready(handle, Direction::write, cx));

  drain(pair.second.get());  // the peer reads: space frees up
  ASSERT_TRUE(probe.wait_for_wakes(1));
  EXPECT_TRUE(reactor.poll_ready(handle, Direction::write, cx));
}

TEST_F(ReactorTest, ReaderAndWriterAreWokenIndependently) {
  Probe writer;
  auto pair = make_socketpair();
  const auto handle = reactor.register_fd(pair.first.get());
  fill_send_buffer(reactor, handle);
  drain_and_clear(reactor, handle);
  const weft::Waker reader_waker = probe.waker();
  Context reader_cx(reader_waker);
  ASSERT_FALSE(reactor.poll_ready(handle, Direction::read, reader_cx));
  const weft::Waker writer_waker = writer.waker();
  Context writer_cx(writer_waker);
  ASSERT_FALSE(reactor.poll_ready(handle, Direction::write, writer_cx));

  // Readable while the send buffer stays full: only the reader is woken.
  write_byte(pair.second.get());
  ASSERT_TRUE(probe.wait_for_wakes(1));
  sync_with_reactor(reactor);
  EXPECT_EQ(writer.wakes.load(), 0);

  // Space frees up: the writer is woken.
  drain(pair.second.get());
  ASSERT_TRUE(writer.wait_for_wakes(1));
  EXPECT_EQ(probe.wakes.load(), 1);
}

TEST_F(ReactorTest, HangUpWakesTheReader) {
  auto pair = make_socketpair();
  const auto handle = reactor.register_fd(pair.first.get());
  drain_and_clear(reactor, handle);
  const weft::Waker waker = probe.waker();
  Context cx(waker);
  ASSERT_FALSE(reactor.poll_ready(handle, Direction::read, cx));
  pair.second.reset();  // the peer goes away
  ASSERT_TRUE(probe.wait_for_wakes(1));
  EXPECT_TRUE(has_all(reactor.readiness(handle, Direction::read).readiness, Readiness::hang_up));
  char byte;
  EXPECT_EQ(weft_test::read_some(pair.first.get(), &byte, 1), 0) << "end of file, not EAGAIN";
}

TEST_F(ReactorTest, DeregisteringWakesTheWaiterOnceAndLetsGoOfIt) {
  auto pair = make_socketpair();
  auto handle = reactor.register_fd(pair.first.get());
  drain_and_clear(reactor, handle);
  {
    const weft::Waker waker = probe.waker();
    Context cx(waker);
    ASSERT_FALSE(reactor.poll_ready(handle, Direction::read, cx));
  }
  EXPECT_EQ(probe.refs.load(), 1);
  handle.reset();
  EXPECT_EQ(probe.wakes.load(), 1) << "a task waiting on a descriptor that goes away is told";
  EXPECT_EQ(probe.refs.load(), 0);
  EXPECT_EQ(reactor.registrations(), 0u);
  EXPECT_FALSE(static_cast<bool>(handle));
}

// A descriptor closed before its registration while a dup() keeps its epoll entry alive:
// the kernel keeps reporting events with the old token. After deregistration that token is
// stale, and must wake nobody, even though its slot now belongs to another descriptor.
TEST_F(ReactorTest, StaleTokenAfterDeregistrationWakesNobody) {
  if (test_reactor_options().backend == weft::io::IoBackend::iocp) {
    GTEST_SKIP() << "a dup() of a Windows socket does not keep its watch alive: a socket "
                    "closed while watched ends its watch (IocpPollerTest."
                    "ASocketClosedWhileWatchedIsReportedAndCanBeReplaced)";
  }
  if (test_reactor_options().backend == weft::io::IoBackend::kqueue) {
    GTEST_SKIP() << "kqueue ties filters to the descriptor number, not to the open file: "
                    "closing the number drops them although a dup() keeps the file open, so "
                    "no event with a stale token can be produced this way. (Under libkqueue "
                    "the still-open file's epoll entry survives, its data pointing at memory "
                    "libkqueue frees: the event this test provokes would be read from it.)";
  }
  auto stale_pair = make_socketpair();
  const weft::io::FileDescriptor keeps_entry_alive(::dup(stale_pair.first.get()));
  ASSERT_TRUE(static_cast<bool>(keeps_entry_alive));
  auto stale_handle = reactor.register_fd(stale_pair.first.get());
  const std::uint64_t stale_token = stale_handle.token();
  stale_pair.first.reset();  // closed first: removing it from the poller now fails (EBADF)
  stale_handle.reset();

  auto pair = make_socketpair();
  const auto handle = reactor.register_fd(pair.first.get());
  ASSERT_EQ(index_of(handle.token()), index_of(stale_token)) << "the slot was reused";
  ASSERT_NE(handle.token(), stale_token);
  drain_and_clear(reactor, handle);
  const weft::Waker waker = probe.waker();
  Context cx(waker);
  ASSERT_FALSE(reactor.poll_ready(handle, Direction::read, cx));

  const auto stale_before = reactor.metrics().stale_events;
  write_byte(stale_pair.second.get());  // an event with the stale token

  // Barrier: an event queued after that one; once it is delivered, the stale one was too.
  Probe barrier;
  auto barrier_pair = make_socketpair();
  const auto barrier_handle = reactor.register_fd(barrier_pair.first.get());
  drain_and_clear(reactor, barrier_handle);
  const weft::Waker barrier_waker = barrier.waker();
  Context barrier_cx(barrier_waker);
  ASSERT_FALSE(reactor.poll_ready(barrier_handle, Direction::read, barrier_cx));
  write_byte(barrier_pair.second.get());
  ASSERT_TRUE(barrier.wait_for_wakes(1));

  // (Counters are published at the end of the turn, just after the barrier's wake.)
  EXPECT_TRUE(eventually([&] { return reactor.metrics().stale_events > stale_before; }))
      << "the stale event did arrive";
  EXPECT_EQ(probe.wakes.load(), 0) << "and woke nobody";
  EXPECT_FALSE(reactor.readiness(handle, Direction::read).is_ready());

  write_byte(pair.second.get());  // the slot's real owner still works
  ASSERT_TRUE(probe.wait_for_wakes(1));
}

TEST_F(ReactorTest, RegisteringABadDescriptorThrowsAndLeavesNothingBehind) {
  EXPECT_THROW(reactor.register_fd(-1), std::system_error);
  EXPECT_EQ(reactor.registrations(), 0u);
}

TEST_F(ReactorTest, EmptyHandleIsAlwaysReady) {
  const RegistrationHandle empty;
  const weft::Waker waker = probe.waker();
  Context cx(waker);
  EXPECT_TRUE(reactor.poll_ready(empty, Direction::read, cx));
  EXPECT_TRUE(reactor.readiness(empty, Direction::write).is_ready());
  EXPECT_EQ(probe.refs.load(), 1);
}

TEST_F(ReactorTest, MovedHandleKeepsTheRegistration) {
  auto pair = make_socketpair();
  auto first = reactor.register_fd(pair.first.get());
  const std::uint64_t token = first.token();
  RegistrationHandle second = std::move(first);
  EXPECT_FALSE(static_cast<bool>(first));
  EXPECT_EQ(second.token(), token);
  EXPECT_EQ(reactor.registrations(), 1u);
  second = RegistrationHandle();
  EXPECT_EQ(reactor.registrations(), 0u);
}

// --- timers ------------------------------------------------------------------------------

TEST_F(ReactorTest, TimersFireInDeadlineOrderAndNeverEarly) {
  constexpr int kTimers = 5;
  const std::array<int, kTimers> delays_ms = {50, 10, 40, 20, 30};
  std::mutex mutex;
  std::vector<int> order;
  std::vector<Probe> probes(kTimers);
  const auto start = Clock::now();
  std::vector<bool> early(kTimers, false);
  for (int i = 0; i < kTimers; ++i) {
    const auto deadline = start + std::chrono::milliseconds(delays_ms[static_cast<std::size_t>(i)]);
    probes[static_cast<std::size_t>(i)].on_wake = [&, i, deadline] {
      std::lock_guard lock(mutex);
      order.push_back(delays_ms[static_cast<std::size_t>(i)]);
      early[static_cast<std::size_t>(i)] = Clock::now() < deadline;
    };
    reactor.add_timer(deadline, probes[static_cast<std::size_t>(i)].waker());
  }
  for (auto& timer_probe : probes) ASSERT_TRUE(timer_probe.wait_for_wakes(1));
  std::lock_guard lock(mutex);
  EXPECT_EQ(order, (std::vector<int>{10, 20, 30, 40, 50}));
  for (int i = 0; i < kTimers; ++i) EXPECT_FALSE(early[static_cast<std::size_t>(i)]) << i;
  EXPECT_EQ(reactor.timers(), 0u);
  // Counters are published at the end of the turn, just after a probe's wake.
  EXPECT_TRUE(eventually(
      [&] { return reactor.metrics().timer_fires >= static_cast<std::uint64_t>(kTimers); }));
}

TEST_F(ReactorTest, ZeroAndPastDeadlinesFirePromptly) {
  reactor.add_timer(Clock::now(), probe.waker());
  reactor.add_timer(Clock::time_point::min(), probe.waker());
  ASSERT_TRUE(probe.wait_for_wakes(2));
  EXPECT_TRUE(eventually([&] { return probe.refs.load() == 0; }));
}

TEST_F(ReactorTest, AnEarlierTimerInterruptsALongSleep) {
  Probe late;
  const auto far = reactor.add_timer(Clock::now() + std::chrono::hours(1), late.waker());
  // After one more turn the reactor's next wait is computed with the far timer in the wheel:
  // it sleeps (or is about to sleep) for an hour.
  sync_with_reactor(reactor);
  reactor.add_timer(Clock::now() + 5ms, probe.waker());
  ASSERT_TRUE(probe.wait_for_wakes(1));
  EXPECT_EQ(late.wakes.load(), 0);
  EXPECT_TRUE(reactor.cancel_timer(far));
  EXPECT_EQ(late.refs.load(), 0);
}

TEST_F(ReactorTest, CancelledTimerNeverFires) {
  Probe cancelled;
  const auto handle = reactor.add_timer(Clock::now() + 20ms, cancelled.waker());
  EXPECT_TRUE(reactor.cancel_timer(handle));
  EXPECT_EQ(cancelled.refs.load(), 0);
  reactor.add_timer(Clock::now() + 40ms, probe.waker());
  ASSERT_TRUE(probe.wait_for_wakes(1));  // later than the cancelled one
  EXPECT_EQ(cancelled.wakes.load(), 0);
  EXPECT_FALSE(reactor.cancel_timer(handle));
}

TEST_F(ReactorTest, MetricsCountEventsWakesAndBatches) {
  auto pair = make_socketpair();
  const auto handle = reactor.register_fd(pair.first.get());
  drain_and_clear(reactor, handle);
  const weft::Waker waker = probe.waker();
  Context cx(waker);
  ASSERT_FALSE(reactor.poll_ready(handle, Direction::read, cx));
  write_byte(pair.second.get());
  ASSERT_TRUE(probe.wait_for_wakes(1));
  // Counters are published at the end of the turn, just after a probe's wake.
  ASSERT_TRUE(eventually([&] { return reactor.metrics().wakes >= 1; }));
  const auto metrics = reactor.metrics();
  EXPECT_GE(metrics.events, 1u);
  EXPECT_GE(metrics.wakes, 1u);
  EXPECT_GE(metrics.batches, 1u);
  EXPECT_GE(metrics.max_batch, 1u);
  EXPECT_GE(metrics.wakes_per_batch(), 1.0);
  EXPECT_GE(metrics.turns, metrics.batches);
}

// --- shutdown ----------------------------------------------------------------------------

// A Waker standing for a task that owns a registration and a second timer: when its last
// reference is dropped (the reactor dropping it at shutdown), the "task" is destroyed, which
// deregisters and cancels on the reactor that is being destroyed.
struct OwningTask {
  std::atomic<int> refs{0};
  Reactor* reactor = nullptr;
  RegistrationHandle registration;
  weft::io::TimerHandle other_timer;
  std::atomic<bool> destroyed{false};

  weft::Waker waker() {
    refs.fetch_add(1);
    return weft::Waker(&vtable, this);
  }
  static void* clone(void* p) noexcept {
    static_cast<OwningTask*>(p)->refs.fetch_add(1);
    return p;
  }
  static void wake(void* p) noexcept { drop(p); }
  static void wake_by_ref(void*) noexcept {}
  static void drop(void* p) noexcept {
    auto* self = static_cast<OwningTask*>(p);
    if (self->refs.fetch_sub(1) == 1) {
      self->registration.reset();
      self->reactor->cancel_timer(self->other_timer);
      self->destroyed.store(true);
    }
  }
  static constexpr weft::WakerVTable vtable{&clone, &wake, &wake_by_ref, &drop};
};

TEST(ReactorShutdown, DestructionWithPendingWorkNeitherHangsNorLeaks) {
  Probe timer_probe;
  Probe reader_probe;
  OwningTask task;
  auto pair = make_socketpair();
  auto owned_pair = make_socketpair();
  {
    Reactor reactor(test_reactor_options());
    auto handle = reactor.register_fd(pair.first.get());
    drain_and_clear(reactor, handle);
    const weft::Waker waker = reader_probe.waker();
    Context cx(waker);
    ASSERT_FALSE(reactor.poll_ready(handle, Direction::read, cx));

    reactor.add_timer(Clock::now() + std::chrono::hours(24 * 365 * 10), timer_probe.waker());
    reactor.add_timer(Clock::now() + std::chrono::hours(1), timer_probe.waker());

    task.reactor = &reactor;
    task.registration = reactor.register_fd(owned_pair.first.get());
    task.other_timer = reactor.add_timer(Clock::now() + std::chrono::hours(2), timer_probe.waker());
    reactor.add_timer(Clock::now() + std::chrono::hours(3), task.waker());
    EXPECT_EQ(reactor.timers(), 4u);
    // `handle` (declared after the reactor) deregisters first; the reactor then stops with
    // timers pending and a wait with no deadline close by.
  }
  EXPECT_EQ(reader_probe.refs.load(), 0);
  EXPECT_EQ(timer_probe.refs.load(), 0);
  EXPECT_EQ(timer_probe.wakes.load(), 0) << "pending timers are dropped, not fired";
  EXPECT_TRUE(task.destroyed.load());
  EXPECT_EQ(task.refs.load(), 0);
}

TEST(ReactorShutdown, IdleReactorStopsPromptly) {
  // Destroyed at once (the thread may not have reached its first wait) or while blocked in
  // a wait with no timeout: either way the destructor returns.
  for (int i = 0; i < 50; ++i) Reactor reactor(test_reactor_options());
  Reactor reactor(test_reactor_options());
  EXPECT_EQ(reactor.metrics().turns, 0u) << "no timer, no event: it is still in its first wait";
}

TEST(ReactorShutdown, ThreadIsNamed) {
  Probe probe;
  weft::io::ReactorOptions options = test_reactor_options();
  options.thread_name = "weft-io-test-name-too-long";
  Reactor reactor(options);
  // Read the name from the reactor thread itself, through a timer's wake.
  std::string name;
  std::mutex mutex;
  probe.on_wake = [&] {
    const std::string current = weft_test::current_thread_name();
    std::lock_guard lock(mutex);
    name = current;
  };
  reactor.add_timer(Clock::now(), probe.waker());
  ASSERT_TRUE(probe.wait_for_wakes(1));
  std::lock_guard lock(mutex);
  // Linux keeps 15 characters ("weft-io-test-na"), Windows the whole name.
  EXPECT_EQ(name, options.thread_name.substr(0, weft_test::kThreadNameLimit));
}

// --- the whole protocol under real concurrency -------------------------------------------

// The reading side of a ping-pong, written as a hand-made future with the reactor protocol.
struct ReadByte {
  Reactor& reactor;
  const RegistrationHandle& handle;

  weft::Poll<int> poll(Context& cx) {
    for (;;) {
      const auto seen = reactor.readiness(handle, Direction::read);
      char byte = 0;
      const std::ptrdiff_t n = weft_test::read_some(handle.fd(), &byte, 1);
      if (n == 1) return static_cast<int>(byte);
      if (n == 0) return -1;
      if (!weft_test::last_call_would_block()) return -2;
      reactor.clear_readiness(handle, seen);
      if (!reactor.poll_ready(handle, Direction::read, cx)) return weft::pending;
    }
  }
};

// Thousands of round trips between a thread blocked on ReadByte (woken through the reactor)
// and a plain thread. A lost wakeup would stall a round; the plain side then gives up after
// kPatience and hangs up, which unblocks the reader and fails the test.
TEST(ReactorStress, PingPongNeverLosesAWakeup) {
  constexpr int kRounds = 5'000;
  Reactor reactor(test_reactor_options());
  auto pair = make_socketpair();
  const auto handle = reactor.register_fd(pair.first.get());
  std::atomic<bool> stalled{false};

  std::thread echo([&] {
    for (int round = 0; round < kRounds; ++round) {
      ReadByte read{reactor, handle};
      const int byte = weft::block_on_future(read);
      if (byte < 0) return;
      write_byte(pair.first.get(), static_cast<char>(byte));
    }
  });
  const weft::io::NativeHandle peer = pair.second.get();
  for (int round = 0; round < kRounds; ++round) {
    const char sent = static_cast<char>('a' + round % 26);
    write_byte(peer, sent);
    if (!weft_test::wait_readable(peer, kPatience)) {
      stalled.store(true);
      weft_test::shutdown_both(peer);
      break;
    }
    char received = 0;
    const bool echoed = weft_test::read_some(peer, &received, 1) == 1 && received == sent;
    EXPECT_TRUE(echoed) << "round " << round;
    if (!echoed) {
      weft_test::shutdown_both(peer);
      break;
    }
  }
  echo.join();
  EXPECT_FALSE(stalled.load()) << "a wakeup was lost";
  EXPECT_GT(reactor.metrics().wakes, 0u);
}

}  // namespace
