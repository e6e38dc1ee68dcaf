#pragma once
// Threads with the knobs std::thread lacks (stack size, CPU pinning, a name tools show), behind
// one small interface with one implementation per platform, picked by scheduler/CMakeLists.txt:
//
//   thread_posix.cpp    pthreads (pthread_attr_setstacksize, pthread_attr_setaffinity_np,
//                       pthread_setname_np): Linux
//   thread_windows.cpp  _beginthreadex, SetThreadGroupAffinity, SetThreadDescription
//
// Internal to weft: io/ and runtime/ include it through a private include directory, it is
// never installed.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace weft::platform {

struct ThreadSpec {
  std::string name;            // POSIX keeps the first 15 characters, Windows all of them
  std::size_t stack_size = 0;  // bytes; 0 = the system default
  long pin_to_cpu = -1;        // a number from weft::usable_cpus(); -1 = not pinned
};

// A started thread, opaque to the caller; the platform file defines it.
struct NativeThread;
// Joining is what ends a NativeThread's life: the deleter waits for the thread, then frees.
struct JoinOnDelete {
  void operator()(NativeThread* thread) const noexcept;
};
using JoinableThread = std::unique_ptr<NativeThread, JoinOnDelete>;

using ThreadEntry = void (*)(void* argument) noexcept;

// Runs entry(argument) on a new thread set up as `spec` says; the thread is joined when the
// result is destroyed. Throws std::system_error (generic category, errno values) if the
// thread cannot be created or `spec.stack_size` is refused. A pin the system refuses (a CPU
// outside the process's mask) leaves the thread unpinned, as on Linux.
JoinableThread start_thread(const ThreadSpec& spec, ThreadEntry entry, void* argument);

// Names the calling thread for debuggers and tools (truncated as ThreadSpec::name says).
// Best effort: a platform that refuses keeps the old name.
void name_current_thread(std::string_view name) noexcept;

}  // namespace weft::platform
