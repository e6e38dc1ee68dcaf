#include "thread.hpp"

#include <pthread.h>
#include <sched.h>

#include <memory>
#include <string>
#include <system_error>

namespace weft::platform {

struct NativeThread {
  ThreadEntry entry;
  void* argument;
  pthread_t handle{};
};

namespace {

// Linux keeps at most 15 characters plus the terminator and refuses longer names.
constexpr std::size_t kNameLimit = 15;

// pthread_attr_t, destroyed on every path out of start_thread.
class ThreadAttributes {
 public:
  ThreadAttributes() { ::pthread_attr_init(&attr_); }
  ThreadAttributes(const ThreadAttributes&) = delete;
  ThreadAttributes& operator=(const ThreadAttributes&) = delete;
  ~ThreadAttributes() { ::pthread_attr_destroy(&attr_); }
  pthread_attr_t* get() noexcept { return &attr_; }

 private:
  pthread_attr_t attr_;
};

void* run(void* raw) noexcept {
  const NativeThread& thread = *static_cast<NativeThread*>(raw);
  thread.entry(thread.argument);
  return nullptr;
}

}  // namespace

void JoinOnDelete::operator()(NativeThread* thread) const noexcept {
  ::pthread_join(thread->handle, nullptr);
  delete thread;
}

JoinableThread start_thread(const ThreadSpec& spec, ThreadEntry entry, void* argument) {
  ThreadAttributes attr;
  if (spec.stack_size != 0) {
    if (const int err = ::pthread_attr_setstacksize(attr.get(), spec.stack_size)) {
      throw std::system_error(err, std::generic_category(),
                              "weft: invalid thread_stack_size " + std::to_string(spec.stack_size));
    }
  }
  if (spec.pin_to_cpu >= 0) {
    cpu_set_t cpus;
    CPU_ZERO(&cpus);
    CPU_SET(static_cast<int>(spec.pin_to_cpu), &cpus);
    ::pthread_attr_setaffinity_np(attr.get(), sizeof(cpus), &cpus);
  }
  // The thread reads its entry point from the NativeThread, which lives until it is joined.
  auto thread = std::make_unique<NativeThread>(NativeThread{entry, argument});
  const int err = ::pthread_create(&thread->handle, attr.get(), &run, thread.get());
  if (err) throw std::system_error(err, std::generic_category(), "weft: cannot start a thread");
  ::pthread_setname_np(thread->handle, spec.name.substr(0, kNameLimit).c_str());
  return JoinableThread(thread.release());
}

void name_current_thread(std::string_view name) noexcept {
  const std::string truncated(name.substr(0, kNameLimit));
  ::pthread_setname_np(::pthread_self(), truncated.c_str());
}

}  // namespace weft::platform
