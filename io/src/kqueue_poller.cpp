#include "kqueue_poller.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <system_error>

#include <fcntl.h>
#include <time.h>

namespace weft::io {

namespace {

using Kevent = struct kevent;

[[noreturn]] void throw_error(int error, const char* what) {
  throw std::system_error(error, std::system_category(), what);
}

[[noreturn]] void throw_errno(const char* what) {
  throw_error(errno, what);
}

// Tokens travel in udata, a pointer on every kqueue this backend targets (FreeBSD, OpenBSD,
// NetBSD 10, DragonFly, macOS, libkqueue), so they need 64-bit pointers.
static_assert(sizeof(Kevent::udata) >= sizeof(std::uint64_t),
              "the kqueue backend keeps 64-bit tokens in kevent::udata");

void* to_udata(std::uint64_t token) {
  return reinterpret_cast<void*>(static_cast<std::uintptr_t>(token));
}

std::uint64_t to_token(void* udata) {
  return static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(udata));
}

// EVFILT_USER identifiers are a namespace of their own (not descriptors); a poller has one.
constexpr std::uintptr_t kWakeIdent = 0;

// Change lists never block: with a zero timeout, kevent() applies them and returns.
constexpr timespec kNoWait{};

Kevent make_change(std::uintptr_t ident, int filter, unsigned flags, std::uint64_t token = 0) {
  Kevent change{};
  change.ident = ident;
  change.filter = static_cast<decltype(change.filter)>(filter);
  change.flags = static_cast<decltype(change.flags)>(flags);
  change.udata = to_udata(token);
  return change;
}

// The filters that watch `interest`. Hang-up is reported by the read filter (EV_EOF), so it
// needs that filter even when readability is not asked for. With no interest at all no filter
// is registered: kqueue reports errors only through a filter, so such a descriptor reports
// nothing (epoll would still report its errors).
struct Filters {
  bool read;
  bool write;
};

Filters filters_for(Interest interest) {
  return {has_any(interest, Readiness::readable | Readiness::hang_up),
          has_any(interest, Readiness::writable)};
}

// Every event comes from one filter: the read filter means readable, the write filter
// writable. EV_EOF on the read filter: the peer shut down its writing side, or a pipe's writer
// is gone (EPOLLRDHUP/EPOLLHUP on Linux); on the write filter: nothing more can be written (a
// pipe's reader is gone, the connection is down). Both are hang-up: the next read returns 0 or
// the next write fails, without blocking. With EV_EOF, fflags holds the socket's pending error
// (ECONNRESET after a reset) if there is one, which is what EPOLLERR reports.
Readiness from_kevent(const Kevent& event) {
  Readiness ready = event.filter == EVFILT_WRITE ? Readiness::writable : Readiness::readable;
  if ((event.flags & EV_EOF) != 0) {
    ready |= Readiness::hang_up;
    if (event.fflags != 0) ready |= Readiness::error;
  }
  return ready;
}

// kevent() takes a timespec, which holds nanoseconds: the timeout passes through unrounded, and
// the kernel (or libkqueue's ppoll) rounds it up to its own resolution, so a wait never ends
// before a timer it was computed from. Clamped to INT_MAX milliseconds (about 24.8 days):
// libkqueue hands a whole-millisecond timespec to epoll_wait as int milliseconds without a
// range check. Waking up early from such a wait is harmless: the caller computes the remaining
// time and waits again.
const timespec* to_timespec(std::optional<std::chrono::nanoseconds> timeout, timespec& storage) {
  if (!timeout) return nullptr;
  constexpr std::chrono::nanoseconds kLongest = std::chrono::milliseconds(INT_MAX);
  const auto clamped = std::clamp(*timeout, std::chrono::nanoseconds::zero(), kLongest);
  const auto seconds = std::chrono::floor<std::chrono::seconds>(clamped);
  storage.tv_sec = static_cast<time_t>(seconds.count());
  storage.tv_nsec = static_cast<long>((clamped - seconds).count());
  return &storage;
}

}  // namespace

KqueuePoller::KqueuePoller() : kqueue_(::kqueue()) {
  if (!kqueue_) throw_errno("kqueue");
  // What EPOLL_CLOEXEC does for epoll. BSD kqueues are not inherited by fork() anyway, but
  // libkqueue's descriptor is a pipe whose closing frees the queue: a child that inherited it
  // would keep the queue alive.
  if (::fcntl(kqueue_.get(), F_SETFD, FD_CLOEXEC) != 0) throw_errno("fcntl(kqueue, FD_CLOEXEC)");
  Kevent wake = make_change(kWakeIdent, EVFILT_USER, EV_ADD | EV_CLEAR, kWakeToken);
  if (const int error = submit(std::span(&wake, 1), "kevent(add wake event)")[0]; error != 0) {
    throw_error(error, "kevent(add wake event)");
  }
}

// Applies up to two changes in one kevent() call and returns each one's error (0: applied).
// EV_RECEIPT makes every change report its result in the event list, success included, so
// that a failing change neither stops the others nor hides their results. The list has room
// for the receipts only, so kevent() returns them without collecting any pending event (which
// would then be lost to wait()).
std::array<int, 2> KqueuePoller::submit(std::span<Kevent> changes, const char* what) {
  std::array<Kevent, 2> receipts{};
  const int count = static_cast<int>(std::min(changes.size(), receipts.size()));
  for (Kevent& change : changes.first(static_cast<std::size_t>(count))) change.flags |= EV_RECEIPT;
  const int received =
      ::kevent(kqueue_.get(), changes.data(), count, receipts.data(), count, &kNoWait);
  if (received < 0) throw_errno(what);
  std::array<int, 2> errors{};
  for (int i = 0; i < received; ++i) {
    const Kevent& receipt = receipts[static_cast<std::size_t>(i)];
    if ((receipt.flags & EV_ERROR) != 0) {
      errors[static_cast<std::size_t>(i)] = static_cast<int>(receipt.data);
    }
  }
  return errors;
}

// EV_ADD on a filter that is already there updates it instead of failing, so adding a watched
// descriptor again is not an error here (epoll says EEXIST). If one of the two filters fails,
// both are deleted again, so that a failed add leaves nothing behind, as with epoll.
//
// The write filter is added first. libkqueue keeps one epoll registration per descriptor, and
// adding the second filter rebuilds its event mask from the first one's direction only plus
// the second one's flags: added last, the read filter keeps its EPOLLRDHUP. Added first, it
// would lose it, and a peer's half-close would then be reported as EOF only when nothing is
// left to read. Kernel kqueues do not care about the order.
void KqueuePoller::add_filters(NativeHandle fd, std::uint64_t token, Interest interest,
                               const char* what) {
  const Filters filters = filters_for(interest);
  const auto ident = static_cast<std::uintptr_t>(fd);
  std::array<Kevent, 2> changes{};
  std::size_t count = 0;
  if (filters.write) changes[count++] = make_change(ident, EVFILT_WRITE, EV_ADD | EV_CLEAR, token);
  if (filters.read) changes[count++] = make_change(ident, EVFILT_READ, EV_ADD | EV_CLEAR, token);
  if (count == 0) return;
  const auto errors = submit(std::span(changes).first(count), what);
  for (std::size_t i = 0; i < count; ++i) {
    if (errors[i] == 0) continue;
    if (count == 2) {
      std::array<Kevent, 2> undo{make_change(ident, EVFILT_READ, EV_DELETE),
                                 make_change(ident, EVFILT_WRITE, EV_DELETE)};
      submit(undo, what);  // the filter that failed answers ENOENT, which is expected
    }
    throw_error(errors[i], what);
  }
}

// Deletes both filters of `fd`: callers need not remember the interest it was added with, and a
// filter that was never added answers ENOENT, which is fine. Only when neither was there is
// `fd` not watched at all, which is ENOENT as with epoll_ctl(EPOLL_CTL_DEL).
void KqueuePoller::delete_filters(NativeHandle fd, const char* what) {
  const auto ident = static_cast<std::uintptr_t>(fd);
  std::array<Kevent, 2> changes{make_change(ident, EVFILT_READ, EV_DELETE),
                                make_change(ident, EVFILT_WRITE, EV_DELETE)};
  const auto errors = submit(changes, what);
  if (errors[0] == ENOENT && errors[1] == ENOENT) throw_error(ENOENT, what);
  for (const int error : errors) {
    if (error != 0 && error != ENOENT) throw_error(error, what);
  }
}

void KqueuePoller::add(NativeHandle fd, std::uint64_t token, Interest interest) {
  add_filters(fd, token, interest, "kevent(add)");
}

// kqueue has no "modify and re-arm": EV_ADD on a live filter replaces its token, but whether it
// reports the current state again differs (FreeBSD re-evaluates the filter, libkqueue does
// not). Filters added afresh report the state they find everywhere, so modify() deletes the
// filters and adds the wanted ones. An edge between the two calls is not lost: the new filter
// sees the state it left behind.
void KqueuePoller::modify(NativeHandle fd, std::uint64_t token, Interest interest) {
  delete_filters(fd, "kevent(modify)");
  add_filters(fd, token, interest, "kevent(modify)");
}

void KqueuePoller::remove(NativeHandle fd) {
  delete_filters(fd, "kevent(remove)");
}

// The two filters of one descriptor fire as two kevents with the same token. When they are
// adjacent (both became ready at once: libkqueue always emits them so, from one epoll event)
// they are merged into one Event, as epoll would report them. Others are not searched for: the
// reactor applies every event to its registration by token, OR-ing the signals, so two events
// with one token in one wait cost a little work and lose nothing.
std::size_t KqueuePoller::wait(std::span<Event> events,
                               std::optional<std::chrono::nanoseconds> timeout) {
  if (events.empty()) return 0;
  const std::size_t capacity = std::min<std::size_t>(events.size(), INT_MAX);
  if (buffer_.size() < capacity) buffer_.resize(capacity);
  timespec storage{};
  const int count = ::kevent(kqueue_.get(), nullptr, 0, buffer_.data(), static_cast<int>(capacity),
                             to_timespec(timeout, storage));
  if (count < 0) {
    // A signal interrupted the wait: report nothing, like a wake; the caller loops anyway.
    if (errno == EINTR) return 0;
    throw_errno("kevent(wait)");
  }
  std::size_t filled = 0;
  for (int i = 0; i < count; ++i) {
    const Kevent& raw = buffer_[static_cast<std::size_t>(i)];
    // A wake. EV_CLEAR already reset it, so the next wake() is a new event. Recognised by its
    // filter, not its udata: a trigger may overwrite the udata (libkqueue and macOS store the
    // trigger's; wake() passes kWakeToken anyway).
    if (raw.filter == EVFILT_USER) continue;
    const std::uint64_t token = to_token(raw.udata);
    const Readiness ready = from_kevent(raw);
    if (filled > 0 && events[filled - 1].token == token) {
      events[filled - 1].readiness |= ready;
      continue;
    }
    events[filled++] = Event{token, ready};
  }
  return filled;
}

void KqueuePoller::wake() {
  Kevent trigger = make_change(kWakeIdent, EVFILT_USER, 0, kWakeToken);
  trigger.fflags = NOTE_TRIGGER;
  for (;;) {
    if (::kevent(kqueue_.get(), &trigger, 1, nullptr, 0, &kNoWait) == 0) return;
    // Re-triggering is harmless: triggers before a wait coalesce into one event.
    if (errno == EINTR) continue;
    throw_errno("kevent(wake)");
  }
}

}  // namespace weft::io
