#include "iocp_poller.hpp"

#include <mswsock.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <system_error>

#include "sys/afd_windows.hpp"
#include "sys/windows_errors.hpp"
#include "sys/winsock_windows.hpp"

namespace weft::io {

namespace afd = sys::afd;

namespace {

// Completion keys: every poll request completes with kAfdKey (the key the AFD handle was
// associated with), a wake() with kWakeKey.
constexpr ULONG_PTR kAfdKey = 0;
constexpr ULONG_PTR kWakeKey = 1;

// The direction events: left out of the next request once reported, until re-armed.
constexpr ULONG kReadEvents = afd::kReceive | afd::kAccept;
constexpr ULONG kWriteEvents = afd::kSend;
constexpr ULONG kDirectionEvents = kReadEvents | kWriteEvents;
// Final states: reported once, never asked for again. Asked for whatever the interest says,
// as epoll always reports EPOLLERR and EPOLLHUP.
constexpr ULONG kAlwaysEvents = afd::kAbort | afd::kConnectFail | afd::kLocalClose;

[[noreturn]] void throw_error(int error, const char* what) {
  throw std::system_error(error, sys::errno_category(), what);
}

[[noreturn]] void throw_last_error(const char* what) {
  throw_error(sys::errno_from_windows(::GetLastError()), what);
}

ULONG afd_events(Interest interest) {
  ULONG events = kAlwaysEvents;
  if (has_any(interest, Readiness::readable)) events |= kReadEvents;
  if (has_any(interest, Readiness::writable)) events |= kWriteEvents;
  if (has_any(interest, Readiness::hang_up)) events |= afd::kDisconnect;
  return events;
}

Readiness readiness_of(ULONG events) {
  Readiness ready = Readiness::none;
  if ((events & (afd::kReceive | afd::kReceiveExpedited | afd::kAccept)) != 0) {
    ready |= Readiness::readable;
  }
  if ((events & (afd::kSend | afd::kConnect)) != 0) ready |= Readiness::writable;
  // The peer's FIN: a read returns end-of-file (epoll's EPOLLRDHUP).
  if ((events & afd::kDisconnect) != 0) ready |= Readiness::hang_up;
  // A reset, a failed connect, or the socket closed under the poller: the next call on it
  // fails, which both directions must learn (epoll's EPOLLERR | EPOLLHUP).
  if ((events & (afd::kAbort | afd::kConnectFail | afd::kLocalClose)) != 0) {
    ready |= Readiness::error | Readiness::hang_up;
  }
  return ready;
}

// GetQueuedCompletionStatusEx takes whole milliseconds: round up, as the Poller contract asks,
// and clamp below INFINITE, which would mean no timeout.
DWORD to_milliseconds(std::optional<std::chrono::nanoseconds> timeout) {
  if (!timeout) return INFINITE;
  if (*timeout <= std::chrono::nanoseconds::zero()) return 0;
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(*timeout).count();
  constexpr auto kLongest = static_cast<long long>(INFINITE - 1);
  return static_cast<DWORD>(std::min<long long>(ms, kLongest));
}

// The handle AFD knows the socket by. A layered service provider may hand out handles of its
// own; SIO_BASE_HANDLE names the base provider's socket under them. Some providers refuse
// SIO_BASE_HANDLE but answer SIO_BSP_HANDLE_POLL, which asks for the handle poll() would use.
// Whether the handle is a socket at all is asked first (getsockopt SO_TYPE): Wine 8 answers
// SIO_BASE_HANDLE for any handle with the handle itself, and the poll request then fails with
// a bare "invalid handle" that would not say what was wrong.
SOCKET base_socket(NativeHandle socket) {
  const auto native = static_cast<SOCKET>(socket);
  int type = 0;
  int length = sizeof type;
  if (::getsockopt(native, SOL_SOCKET, SO_TYPE, reinterpret_cast<char*>(&type), &length) != 0) {
    const int error = ::WSAGetLastError();
    // WSANOTINITIALISED: Winsock never started, so there are no sockets.
    throw_error(error == WSANOTINITIALISED
                    ? ENOTSOCK
                    : sys::errno_from_windows(static_cast<unsigned long>(error)),
                "iocp add (SO_TYPE)");
  }
  for (const DWORD code : {SIO_BASE_HANDLE, SIO_BSP_HANDLE_POLL}) {
    SOCKET base = INVALID_SOCKET;
    DWORD bytes = 0;
    if (::WSAIoctl(native, code, nullptr, 0, &base, sizeof base, &bytes, nullptr, nullptr) == 0 &&
        base != INVALID_SOCKET) {
      return base;
    }
  }
  throw_error(sys::errno_from_windows(static_cast<unsigned long>(::WSAGetLastError())),
              "iocp add (SIO_BASE_HANDLE)");
}

// Opens \Device\Afd: a file object of the driver, not a socket, through which poll requests
// about any socket can be issued. The name after the device is ignored by AFD; it shows the
// handle's owner in tools that list handles.
HANDLE open_afd() {
  wchar_t path[] = L"\\Device\\Afd\\Weft";
  UNICODE_STRING name;
  name.Buffer = path;
  name.Length = static_cast<USHORT>(sizeof path - sizeof path[0]);
  name.MaximumLength = static_cast<USHORT>(sizeof path);
  OBJECT_ATTRIBUTES attributes;
  InitializeObjectAttributes(&attributes, &name, 0, nullptr, nullptr);
  IO_STATUS_BLOCK status_block{};
  HANDLE handle = nullptr;
  const NTSTATUS status =
      ::NtCreateFile(&handle, SYNCHRONIZE, &attributes, &status_block, nullptr, 0,
                     FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN, 0, nullptr, 0);
  if (!NT_SUCCESS(status))
    throw_error(sys::errno_from_ntstatus(status), "iocp (open \\Device\\Afd)");
  return handle;
}

}  // namespace

// One watched socket and its poll request. Addressed by the request (the completion's
// lpOverlapped), so it never moves: always held by a unique_ptr.
struct IocpPoller::Watch {
  NativeHandle socket = invalid_handle;
  HANDLE base = nullptr;
  std::uint64_t token = 0;
  ULONG wanted = 0;  // the AFD events the interest asks for
  ULONG quiet = 0;   // reported and not re-armed (direction events) or final (the others)
  ULONG asked = 0;   // what the request in flight asks for
  bool in_flight = false;
  bool cancelling = false;  // NtCancelIoFileEx was asked to end the request in flight
  bool closed = false;      // AFD_POLL_LOCAL_CLOSE: the socket is gone, never poll again
  IO_STATUS_BLOCK status_block{};
  afd::PollInfo info{};

  // The events a request should ask for now; 0: none needed.
  ULONG events_to_ask() const noexcept {
    if (closed) return 0;
    const ULONG open = wanted & ~quiet;
    // Without a direction to wait for nobody can be waiting (a task waits only after an
    // EAGAIN, which re-arms its direction): no request, until rearm() asks again.
    if ((open & kDirectionEvents) == 0) return 0;
    return open;
  }
};

IocpPoller::IocpPoller() {
  sys::ensure_winsock();
  port_.reset(::CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 1));
  if (!port_) throw_last_error("iocp (CreateIoCompletionPort)");
  afd_.reset(open_afd());
  if (::CreateIoCompletionPort(afd_.get(), port_.get(), kAfdKey, 0) == nullptr) {
    throw_last_error("iocp (associate \\Device\\Afd with the port)");
  }
  // Completions go to the port only; nobody waits on the handle itself.
  ::SetFileCompletionNotificationModes(afd_.get(), FILE_SKIP_SET_EVENT_ON_HANDLE);
}

IocpPoller::~IocpPoller() {
  {
    std::lock_guard lock(mutex_);
    for (auto& [socket, watch] : watches_) {
      if (watch->in_flight) cancel(*watch);
    }
    while (!watches_.empty()) {
      retire(std::move(watches_.begin()->second));
      watches_.erase(watches_.begin());
    }
  }
  drain_retired();
}

// Waits for the completions of cancelled requests, so that the driver is done with their
// memory before it is freed. A request the driver never completes (not seen on Windows or
// Wine) would make this wait for ever; after a generous bound its Watch is leaked instead,
// which is safe, where freeing it would not be.
void IocpPoller::drain_retired() noexcept {
  OVERLAPPED_ENTRY entries[64];
  for (int attempt = 0; attempt < 50; ++attempt) {
    {
      std::lock_guard lock(mutex_);
      if (retired_.empty()) return;
    }
    ULONG count = 0;
    if (!::GetQueuedCompletionStatusEx(port_.get(), entries, 64, &count, 100, FALSE)) continue;
    std::lock_guard lock(mutex_);
    for (ULONG i = 0; i < count; ++i) {
      if (entries[i].lpCompletionKey != kAfdKey) continue;
      retired_.erase(reinterpret_cast<Watch*>(entries[i].lpOverlapped));
    }
  }
  std::lock_guard lock(mutex_);
  for (auto& [address, watch] : retired_) static_cast<void>(watch.release());
  retired_.clear();
}

NTSTATUS IocpPoller::submit(Watch& watch, ULONG events) noexcept {
  watch.info = {};
  watch.info.timeout.QuadPart = std::numeric_limits<LONGLONG>::max();
  watch.info.handle_count = 1;
  watch.info.exclusive = FALSE;
  watch.info.handles[0].handle = watch.base;
  watch.info.handles[0].events = events;
  watch.status_block.Status = STATUS_PENDING;
  const NTSTATUS status = ::NtDeviceIoControlFile(
      afd_.get(), nullptr, nullptr, &watch, &watch.status_block, afd::kIoctlPoll, &watch.info,
      sizeof watch.info, &watch.info, sizeof watch.info);
  // STATUS_PENDING, or success at once (events already held): either way the completion
  // comes through the port. Anything else was refused before it began: no completion.
  if (status == STATUS_PENDING || NT_SUCCESS(status)) {
    watch.in_flight = true;
    watch.cancelling = false;
    watch.asked = events;
  }
  return status == STATUS_PENDING ? afd::kStatusSuccess : status;
}

void IocpPoller::cancel(Watch& watch) noexcept {
  if (watch.cancelling) return;
  IO_STATUS_BLOCK cancel_status{};
  // STATUS_NOT_FOUND: the request has just completed; its completion is on its way anyway.
  ::NtCancelIoFileEx(afd_.get(), &watch.status_block, &cancel_status);
  watch.cancelling = true;
}

void IocpPoller::retire(WatchPtr watch) noexcept {
  if (!watch->in_flight) return;  // nothing in flight: freed here
  cancel(*watch);
  Watch* const address = watch.get();
  try {
    // Room first: once the node holds the Watch, nothing may throw and free it.
    retired_.reserve(retired_.size() + 1);
    retired_.emplace(address, std::move(watch));
  } catch (...) {
    // No memory to remember it: leak it rather than free what the driver will write to.
    static_cast<void>(watch.release());
  }
}

void IocpPoller::report_failure(Watch& watch) noexcept {
  watch.closed = true;  // a socket AFD refuses will not be accepted later either
  try {
    failed_.push_back(watch.token);
  } catch (...) {
    return;  // the task finds the failure itself when its next call fails
  }
  post_wake();
}

// Issues or cancels the request so that what is in flight asks for what the Watch wants now.
void IocpPoller::refresh(Watch& watch) noexcept {
  const ULONG events = watch.events_to_ask();
  if (watch.in_flight) {
    // Asking for more than now wanted is harmless (an event it reports is masked again);
    // asking for less would miss an edge: replace it.
    if ((events & ~watch.asked) != 0) cancel(watch);
    return;
  }
  if (events == 0) return;
  if (submit(watch, events) != afd::kStatusSuccess) report_failure(watch);
}

void IocpPoller::add(NativeHandle socket, std::uint64_t token, Interest interest) {
  auto watch = std::make_unique<Watch>();
  watch->socket = socket;
  watch->base = reinterpret_cast<HANDLE>(base_socket(socket));
  watch->token = token;
  watch->wanted = afd_events(interest);
  std::lock_guard lock(mutex_);
  if (const auto found = watches_.find(socket); found != watches_.end()) {
    // A socket closed under the poller leaves its Watch behind; a new socket with the same
    // handle value replaces it. Otherwise this socket is watched already.
    if (!found->second->closed) throw_error(EEXIST, "iocp add");
    retire(std::move(found->second));
    watches_.erase(found);
  }
  if (const ULONG events = watch->events_to_ask(); events != 0) {
    const NTSTATUS status = submit(*watch, events);
    if (status != afd::kStatusSuccess) {
      throw_error(sys::errno_from_ntstatus(status), "iocp add (IOCTL_AFD_POLL)");
    }
  }
  try {
    watches_.emplace(socket, std::move(watch));
  } catch (...) {
    retire(std::move(watch));  // emplace failed before taking it: the request is cancelled
    throw;
  }
}

void IocpPoller::modify(NativeHandle socket, std::uint64_t token, Interest interest) {
  std::lock_guard lock(mutex_);
  const auto found = watches_.find(socket);
  if (found == watches_.end()) throw_error(ENOENT, "iocp modify");
  Watch& watch = *found->second;
  watch.token = token;
  watch.wanted = afd_events(interest);
  // Re-armed: everything reported so far may be reported again, as the current state.
  watch.quiet = 0;
  refresh(watch);
}

void IocpPoller::remove(NativeHandle socket) {
  std::lock_guard lock(mutex_);
  const auto found = watches_.find(socket);
  if (found == watches_.end()) throw_error(ENOENT, "iocp remove");
  WatchPtr watch = std::move(found->second);
  watches_.erase(found);
  retire(std::move(watch));
}

void IocpPoller::rearm(NativeHandle socket, Readiness drained) noexcept {
  ULONG events = 0;
  if (has_any(drained, Readiness::readable)) events |= kReadEvents;
  if (has_any(drained, Readiness::writable)) events |= kWriteEvents;
  if (events == 0) return;
  std::lock_guard lock(mutex_);
  const auto found = watches_.find(socket);
  if (found == watches_.end()) return;
  Watch& watch = *found->second;
  if ((watch.quiet & events) == 0) return;  // still asked for: nothing to do
  watch.quiet &= ~events;
  refresh(watch);
}

std::size_t IocpPoller::take_failures(std::span<Event> events) {
  std::size_t filled = 0;
  while (!failed_.empty() && filled < events.size()) {
    events[filled++] = Event{failed_.back(), Readiness::error | Readiness::hang_up};
    failed_.pop_back();
  }
  return filled;
}

// One dequeued completion: fills `event` and returns true if it has something to report.
bool IocpPoller::handle_completion(const OVERLAPPED_ENTRY& entry, Event& event) noexcept {
  if (entry.lpCompletionKey == kWakeKey) {
    // Cleared once the wake is taken, so that the next wake() posts a new packet.
    wake_posted_.store(false, std::memory_order_release);
    return false;
  }
  Watch* const watch = reinterpret_cast<Watch*>(entry.lpOverlapped);
  if (retired_.erase(watch) != 0) return false;  // removed: freed now, reports nothing
  watch->in_flight = false;
  watch->cancelling = false;
  const NTSTATUS status = watch->status_block.Status;
  Readiness ready = Readiness::none;
  if (status == afd::kStatusCancelled) {
    // Replaced by refresh(): the new request is issued below.
  } else if (!NT_SUCCESS(status)) {
    // The driver ended the request with an error: the socket is unusable for AFD.
    watch->closed = true;
    ready = Readiness::error | Readiness::hang_up;
  } else if (watch->info.handle_count > 0) {
    const ULONG held = watch->info.handles[0].events & watch->asked;
    ready = readiness_of(held);
    watch->quiet |= held;
    if ((held & afd::kLocalClose) != 0) watch->closed = true;
  }
  refresh(*watch);
  if (ready == Readiness::none) return false;
  event = Event{watch->token, ready};
  return true;
}

std::size_t IocpPoller::wait(std::span<Event> events,
                             std::optional<std::chrono::nanoseconds> timeout) {
  if (events.empty()) return 0;
  std::size_t filled = 0;
  {
    std::lock_guard lock(mutex_);
    filled = take_failures(events);
  }
  if (filled == events.size()) return filled;
  // One completion reports at most one event: take no more than there is room for.
  const std::size_t room = std::min<std::size_t>(events.size() - filled, 1024);
  if (entries_.size() < room) entries_.resize(room);
  ULONG count = 0;
  const DWORD ms = filled > 0 ? 0 : to_milliseconds(timeout);
  if (!::GetQueuedCompletionStatusEx(port_.get(), entries_.data(), static_cast<ULONG>(room), &count,
                                     ms, FALSE)) {
    const DWORD error = ::GetLastError();
    if (error == WAIT_TIMEOUT) return filled;
    throw_error(sys::errno_from_windows(error), "iocp wait (GetQueuedCompletionStatusEx)");
  }
  std::lock_guard lock(mutex_);
  for (ULONG i = 0; i < count; ++i) {
    if (handle_completion(entries_[i], events[filled])) ++filled;
  }
  return filled;
}

bool IocpPoller::post_wake() noexcept {
  // Wakes before a wait coalesce into one packet.
  if (wake_posted_.exchange(true, std::memory_order_acq_rel)) return true;
  if (::PostQueuedCompletionStatus(port_.get(), 0, kWakeKey, nullptr)) return true;
  wake_posted_.store(false, std::memory_order_release);
  return false;
}

void IocpPoller::wake() {
  if (!post_wake()) throw_last_error("iocp wake (PostQueuedCompletionStatus)");
}

}  // namespace weft::io
