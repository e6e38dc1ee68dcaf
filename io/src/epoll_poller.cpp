#include "epoll_poller.hpp"

#include <cerrno>
#include <climits>
#include <cstdint>
#include <system_error>

#include <sys/eventfd.h>
#include <unistd.h>

namespace weft::io {

namespace {

[[noreturn]] void throw_errno(const char* what) {
  throw std::system_error(errno, std::system_category(), what);
}

std::uint32_t to_epoll(Interest interest) {
  std::uint32_t flags = EPOLLET;  // EPOLLERR and EPOLLHUP are always reported
  if (has_any(interest, Readiness::readable)) flags |= EPOLLIN;
  if (has_any(interest, Readiness::writable)) flags |= EPOLLOUT;
  if (has_any(interest, Readiness::hang_up)) flags |= EPOLLRDHUP;
  return flags;
}

Readiness from_epoll(std::uint32_t flags) {
  Readiness ready = Readiness::none;
  if ((flags & (EPOLLIN | EPOLLPRI)) != 0) ready |= Readiness::readable;
  if ((flags & EPOLLOUT) != 0) ready |= Readiness::writable;
  if ((flags & EPOLLERR) != 0) ready |= Readiness::error;
  // EPOLLRDHUP: the peer shut down its writing side; EPOLLHUP: both sides are closed (and the
  // only hang-up a pipe reports). Either way a read will not block.
  if ((flags & (EPOLLRDHUP | EPOLLHUP)) != 0) ready |= Readiness::hang_up;
  return ready;
}

// epoll_wait takes whole milliseconds. Round up, so that a wait computed from a timer's
// deadline never returns before it (returning early would make the reactor spin through
// zero-length waits until the deadline); clamp to what an int holds (about 24.8 days).
int to_epoll_timeout(std::optional<std::chrono::nanoseconds> timeout) {
  if (!timeout) return -1;
  if (*timeout <= std::chrono::nanoseconds::zero()) return 0;
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(*timeout).count();
  return ms > INT_MAX ? INT_MAX : static_cast<int>(ms);
}

}  // namespace

EpollPoller::EpollPoller() : epoll_(::epoll_create1(EPOLL_CLOEXEC)), wake_(-1) {
  if (!epoll_) throw_errno("epoll_create1");
  wake_.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake_) throw_errno("eventfd");
  epoll_event event{};
  event.events = EPOLLIN | EPOLLET;
  event.data.u64 = kWakeToken;
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, wake_.get(), &event) != 0) {
    throw_errno("epoll_ctl(add wake eventfd)");
  }
}

void EpollPoller::control(int op, int fd, std::uint64_t token, Interest interest,
                          const char* what) {
  epoll_event event{};
  event.events = to_epoll(interest);
  event.data.u64 = token;
  if (::epoll_ctl(epoll_.get(), op, fd, &event) != 0) throw_errno(what);
}

void EpollPoller::add(NativeHandle fd, std::uint64_t token, Interest interest) {
  control(EPOLL_CTL_ADD, fd, token, interest, "epoll_ctl(add)");
}

void EpollPoller::modify(NativeHandle fd, std::uint64_t token, Interest interest) {
  control(EPOLL_CTL_MOD, fd, token, interest, "epoll_ctl(modify)");
}

void EpollPoller::remove(NativeHandle fd) {
  // Kernels before 2.6.9 required a non-null event even for EPOLL_CTL_DEL.
  epoll_event unused{};
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, &unused) != 0) throw_errno("epoll_ctl(remove)");
}

std::size_t EpollPoller::wait(std::span<Event> events,
                              std::optional<std::chrono::nanoseconds> timeout) {
  if (events.empty()) return 0;
  const std::size_t capacity = events.size() < INT_MAX ? events.size() : INT_MAX;
  if (buffer_.size() < capacity) buffer_.resize(capacity);
  const int count = ::epoll_wait(epoll_.get(), buffer_.data(), static_cast<int>(capacity),
                                 to_epoll_timeout(timeout));
  if (count < 0) {
    // A signal interrupted the wait: report nothing, like a wake; the caller loops anyway.
    if (errno == EINTR) return 0;
    throw_errno("epoll_wait");
  }
  std::size_t filled = 0;
  for (int i = 0; i < count; ++i) {
    const epoll_event& raw = buffer_[static_cast<std::size_t>(i)];
    if (raw.data.u64 == kWakeToken) {
      drain_wake();
      continue;
    }
    events[filled++] = Event{raw.data.u64, from_epoll(raw.events)};
  }
  return filled;
}

void EpollPoller::wake() {
  const std::uint64_t one = 1;
  for (;;) {
    if (::write(wake_.get(), &one, sizeof one) == static_cast<ssize_t>(sizeof one)) return;
    if (errno == EINTR) continue;
    // EAGAIN: the counter is saturated, so a wake is already pending.
    if (errno == EAGAIN) return;
    throw_errno("write(wake eventfd)");
  }
}

// Resets the eventfd counter so that the next wake() is a new edge. A wake() that lands
// between epoll_wait returning and this read is absorbed; that is fine, because its purpose
// (make the waiter look at the world again) is met: the waiter is awake and about to look.
void EpollPoller::drain_wake() noexcept {
  std::uint64_t value = 0;
  while (::read(wake_.get(), &value, sizeof value) < 0 && errno == EINTR) {
  }
}

}  // namespace weft::io
