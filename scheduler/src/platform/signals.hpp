#pragma once
// Helper threads (resolver, blocking pool) must not take the POSIX signals an application
// waits for through weft's signal source: a signal blocked in every thread but one goes to
// the one that does not block it, whose default action may end the process. Threads inherit
// the creating thread's signal mask, so helper threads are started inside
// with_all_signals_blocked(). One implementation per platform, picked by
// scheduler/CMakeLists.txt:
//
//   signals_posix.cpp    pthread_sigmask(SIG_SETMASK, all) around the call, then the old mask
//   signals_windows.cpp  just the call: Windows delivers no POSIX signals to threads; console
//                        events reach a thread of their own (io/src/sys/signal_source_windows.cpp)
//
// Internal to weft, like thread.hpp.

#include <functional>

namespace weft::platform {

// Runs `start` with every signal blocked in the calling thread, then restores the thread's
// mask, also when `start` throws (the exception propagates).
void with_all_signals_blocked(const std::function<void()>& start);

}  // namespace weft::platform
