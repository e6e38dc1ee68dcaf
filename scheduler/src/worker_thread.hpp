#pragma once
// WorkerThread: a joinable thread with the knobs std::thread lacks (stack size, name, CPU
// pinning), owned RAII-style: the destructor joins. The platform part is platform/thread.hpp.

#include <functional>

#include "platform/thread.hpp"

namespace weft::detail {

using platform::ThreadSpec;

class WorkerThread {
 public:
  // Starts the thread; throws std::system_error if it cannot be created.
  WorkerThread(const ThreadSpec& spec, std::function<void()> body);
  WorkerThread(const WorkerThread&) = delete;
  WorkerThread& operator=(const WorkerThread&) = delete;
  ~WorkerThread() { join(); }

  void join() noexcept { thread_.reset(); }

 private:
  static void run(void* self) noexcept;

  std::function<void()> body_;
  platform::JoinableThread thread_;  // after body_: joined before the body is destroyed
};

}  // namespace weft::detail
