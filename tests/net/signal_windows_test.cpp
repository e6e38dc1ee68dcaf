// Signals on Windows: console control events through the signal source
// (io/src/sys/signal_source_windows.cpp). Ctrl-C is raised with GenerateConsoleCtrlEvent,
// which needs a console: without one (Wine with its output piped, as under ctest) those
// tests skip; scripts/test-windows.sh runs them once more, alone, under a pseudo-terminal,
// which gives Wine a console. They must run alone: the event reaches every process of the
// console. Built on Windows only (tests/net/CMakeLists.txt).

#include <windows.h>

#include <csignal>

#include "net_test_support.hpp"

namespace {

using namespace weft_net_test;

// Raises Ctrl-C in this console; false when there is no console to raise it in.
bool raise_ctrl_c() {
  return ::GenerateConsoleCtrlEvent(CTRL_C_EVENT, 0) != 0;
}

bool have_console() {
  return ::GetConsoleWindow() != nullptr;
}

Task<void> listener_receives() {
  weft::net::SignalListener listener({SIGINT, SIGBREAK});
  EXPECT_TRUE(raise_ctrl_c());
  EXPECT_EQ(co_await listener.recv(), SIGINT);
  EXPECT_TRUE(raise_ctrl_c());
  EXPECT_EQ(co_await listener.recv(), SIGINT);
}

TEST(SignalWindows, ListenerReceivesCtrlCAsSigint) {
  if (!have_console()) GTEST_SKIP() << "no console to raise Ctrl-C in (see the file comment)";
  run(listener_receives());
}

Task<int> wait_int(weft_test::Event& waiting) {
  co_return co_await SignalOnPending(weft::net::wait_for_signal(SIGINT, SIGTERM), waiting);
}

Task<void> waiter_is_woken() {
  weft_test::Event waiting;
  auto waiter = weft::spawn(wait_int(waiting));
  co_await waiting.wait();  // parked on the signal source
  EXPECT_TRUE(raise_ctrl_c());
  EXPECT_EQ(co_await waiter, SIGINT);
}

TEST(SignalWindows, WaitForSignalWakesAParkedTask) {
  if (!have_console()) GTEST_SKIP() << "no console to raise Ctrl-C in (see the file comment)";
  run(waiter_is_woken());
}

// Only console events can be listened for: a signal Windows never delivers to a listener is
// an error, not a wait for ever.
Task<void> other_signals_are_refused() {
  try {
    weft::net::SignalListener listener({SIGSEGV});
    ADD_FAILURE() << "SIGSEGV was accepted";
  } catch (const weft::net::IoError& error) {
    EXPECT_EQ(error.code(), std::errc::invalid_argument);
    EXPECT_EQ(error.operation(), "signal source");
  }
  co_return;
}

TEST(SignalWindows, OnlyConsoleSignalsCanBeListenedFor) {
  run(other_signals_are_refused());
}

TEST(SignalWindows, BlockingSignalsIsANoOp) {
  EXPECT_NO_THROW(weft::net::block_signals({SIGINT, SIGTERM, SIGBREAK}));
}

}  // namespace
