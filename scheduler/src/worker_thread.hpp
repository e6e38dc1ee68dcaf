#pragma once
// WorkerThread: a joinable thread with the knobs std::thread lacks (stack size, name, CPU
// pinning), owned RAII-style: the destructor joins.

#include <cstddef>
#include <functional>
#include <string>

#include <pthread.h>

namespace weft::detail {

struct ThreadSpec {
  std::string name;            // truncated to the 15 characters Linux keeps
  std::size_t stack_size = 0;  // 0 = the system default
  long pin_to_cpu = -1;        // -1 = not pinned
};

class WorkerThread {
 public:
  // Starts the thread; throws std::system_error if it cannot be created.
  WorkerThread(const ThreadSpec& spec, std::function<void()> body);
  WorkerThread(const WorkerThread&) = delete;
  WorkerThread& operator=(const WorkerThread&) = delete;
  ~WorkerThread() { join(); }

  void join() noexcept;

 private:
  static void* trampoline(void* self) noexcept;

  std::function<void()> body_;
  pthread_t handle_{};
  bool joinable_ = false;
};

}  // namespace weft::detail
