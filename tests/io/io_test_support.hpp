#pragma once
// Shared helpers for the io tests: a counting Waker (Probe), descriptor pairs, and bounded
// waiting on observable conditions (never sleeping in place of synchronisation).

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <weft/io/file_descriptor.hpp>
#include <weft/scheduler/waker.hpp>

namespace weft_io_test {

using namespace std::chrono_literals;

// How long a test waits for something that should happen promptly before calling it lost.
inline constexpr std::chrono::seconds kPatience{10};

// A Waker that counts wakes and live references and lets a test wait for a wake.
// `on_wake` (optional) runs on the waking thread, e.g. to record an order.
struct Probe {
  std::atomic<int> wakes{0};
  std::atomic<int> refs{0};
  std::function<void()> on_wake;
  std::mutex mutex;
  std::condition_variable woken;

  weft::Waker waker() {
    refs.fetch_add(1);
    return weft::Waker(&vtable, this);
  }

  // Waits until at least `count` wakes happened; false if that takes longer than kPatience.
  bool wait_for_wakes(int count) {
    std::unique_lock lock(mutex);
    return woken.wait_for(lock, kPatience, [&] { return wakes.load() >= count; });
  }

  static void* clone(void* p) noexcept {
    static_cast<Probe*>(p)->refs.fetch_add(1);
    return p;
  }
  // The reference is given up before the wake is signalled, and the signal is the last
  // thing that touches the probe (notify under the lock): a test that saw the wake may
  // check the count, or destroy the probe, at once.
  static void wake(void* p) noexcept {
    static_cast<Probe*>(p)->refs.fetch_sub(1);
    signal(static_cast<Probe*>(p));
  }
  static void wake_by_ref(void* p) noexcept { signal(static_cast<Probe*>(p)); }
  static void drop(void* p) noexcept { static_cast<Probe*>(p)->refs.fetch_sub(1); }
  static void signal(Probe* self) noexcept {
    if (self->on_wake) self->on_wake();
    std::lock_guard lock(self->mutex);
    self->wakes.fetch_add(1);
    self->woken.notify_all();
  }
  static constexpr weft::WakerVTable vtable{&clone, &wake, &wake_by_ref, &drop};
};

struct FdPair {
  weft::io::FileDescriptor first;
  weft::io::FileDescriptor second;
};

inline void set_nonblocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) {
    throw std::system_error(errno, std::system_category(), "fcntl");
  }
}

// first = read end, second = write end; both non-blocking.
inline FdPair make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) {
    throw std::system_error(errno, std::system_category(), "pipe2");
  }
  return {weft::io::FileDescriptor(fds[0]), weft::io::FileDescriptor(fds[1])};
}

// A connected AF_UNIX stream pair; both non-blocking.
inline FdPair make_socketpair() {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0) {
    throw std::system_error(errno, std::system_category(), "socketpair");
  }
  return {weft::io::FileDescriptor(fds[0]), weft::io::FileDescriptor(fds[1])};
}

inline void write_byte(int fd, char byte = 'x') {
  if (::write(fd, &byte, 1) != 1) throw std::system_error(errno, std::system_category(), "write");
}

// Reads until EAGAIN; returns how many bytes it took.
inline std::size_t drain(int fd) {
  char buffer[4096];
  std::size_t total = 0;
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n > 0) {
      total += static_cast<std::size_t>(n);
      continue;
    }
    return total;
  }
}

// Spins (yielding) until `condition` holds; false after kPatience. For conditions another
// thread makes true, where there is nothing to block on.
template <class Condition>
bool eventually(Condition condition) {
  const auto give_up = std::chrono::steady_clock::now() + kPatience;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::yield();
  }
  return true;
}

}  // namespace weft_io_test
