#include "worker_thread.hpp"

#include <sched.h>

#include <system_error>
#include <thread>

namespace weft::detail {

WorkerThread::WorkerThread(const ThreadSpec& spec, std::function<void()> body)
    : body_(std::move(body)) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  if (spec.stack_size != 0) {
    if (int err = pthread_attr_setstacksize(&attr, spec.stack_size)) {
      pthread_attr_destroy(&attr);
      throw std::system_error(err, std::generic_category(),
                              "weft: invalid thread_stack_size " + std::to_string(spec.stack_size));
    }
  }
  if (spec.pin_to_cpu >= 0) {
    cpu_set_t cpus;
    CPU_ZERO(&cpus);
    CPU_SET(static_cast<int>(spec.pin_to_cpu), &cpus);
    pthread_attr_setaffinity_np(&attr, sizeof(cpus), &cpus);
  }
  const int err = pthread_create(&handle_, &attr, &WorkerThread::trampoline, this);
  pthread_attr_destroy(&attr);
  if (err) throw std::system_error(err, std::generic_category(), "weft: cannot start a thread");
  joinable_ = true;
  pthread_setname_np(handle_, spec.name.substr(0, 15).c_str());
}

void WorkerThread::join() noexcept {
  if (joinable_) {
    pthread_join(handle_, nullptr);
    joinable_ = false;
  }
}

void* WorkerThread::trampoline(void* self) noexcept {
  static_cast<WorkerThread*>(self)->body_();
  return nullptr;
}

}  // namespace weft::detail
