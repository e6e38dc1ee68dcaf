// Signals through signalfd: the listener gets signals raised before and after it exists.
// SIGUSR1 and SIGUSR2 are blocked before main() (a static initializer), so that every
// thread of this test process, runtime threads included, inherits the mask.

#include <csignal>

#include <unistd.h>

#include "net_test_support.hpp"

namespace {

using namespace weft_net_test;

const bool kBlocked = [] {
  weft::net::block_signals({SIGUSR1, SIGUSR2});
  return true;
}();

Task<void> listener_receives() {
  weft::net::SignalListener listener({SIGUSR1, SIGUSR2});
  ::kill(::getpid(), SIGUSR1);
  EXPECT_EQ(co_await listener.recv(), SIGUSR1);
  ::kill(::getpid(), SIGUSR2);
  EXPECT_EQ(co_await listener.recv(), SIGUSR2);
}

TEST(Signal, ListenerReceivesSignals) {
  ASSERT_TRUE(kBlocked);
  run(listener_receives());
}

Task<int> wait_usr2(weft_test::Event& waiting) {
  co_return co_await SignalOnPending(weft::net::wait_for_signal(SIGUSR2), waiting);
}

Task<void> waiter_is_woken() {
  weft_test::Event waiting;
  auto waiter = weft::spawn(wait_usr2(waiting));
  co_await waiting.wait();  // parked on the signalfd
  ::kill(::getpid(), SIGUSR2);
  EXPECT_EQ(co_await waiter, SIGUSR2);
}

TEST(Signal, WaitForSignalWakesAParkedTask) {
  run(waiter_is_woken());
}

Task<void> pending_before() {
  ::kill(::getpid(), SIGUSR1);  // blocked, so it stays pending for the signalfd
  auto signal = weft::net::wait_for_signal({SIGUSR1});
  EXPECT_EQ(co_await signal, SIGUSR1);
}

TEST(Signal, ASignalRaisedBeforeListeningIsNotLost) {
  run(pending_before());
}

}  // namespace
