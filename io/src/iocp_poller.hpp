#pragma once
// IocpPoller: the Windows backend. Readiness of sockets from AFD poll requests that complete
// on an I/O completion port; wake() posts a packet to the same port.
//
// Why AFD polls. Windows' completion ports report finished operations, not readiness, and
// weft's sockets (like epoll's users) need readiness: "a read would not block now". The
// documented readiness calls do not fit a completion-port reactor: select() and WSAPoll
// are level-triggered scans of every socket on each call, and WSAEventSelect needs an event
// object per socket and waits on at most 64 of them. Under all three sits the Ancillary
// Function Driver (afd.sys) that implements Winsock, and its IOCTL_AFD_POLL is what they call:
// an asynchronous request "complete when any of these events holds for this socket" that,
// issued through a handle associated with a completion port, completes there like any other
// I/O. libuv, wepoll and Rust's mio build their Windows readiness on it; weft does the same.
//
// How:
// - One \Device\Afd handle per poller, associated with the port, carries every poll request
//   (the socket it is about is named inside the request, by its base provider handle from
//   SIO_BASE_HANDLE, since a layered provider's handle is not an AFD socket).
// - Each watched socket (a Watch) has at most one request in flight. Its IO_STATUS_BLOCK and
//   AFD_POLL_INFO live in the Watch, and the request's APC context (the completion's
//   lpOverlapped) is the Watch, so a completion finds its socket without a lookup.
// - Edges. A poll request reports states: asked again for RECEIVE while unread data waits, it
//   completes at once, for ever. So once a completion reported a direction (RECEIVE/ACCEPT:
//   readable, SEND: writable) the next request leaves it out, until the caller says it drained
//   that direction (rearm(), which Reactor::clear_readiness calls after an operation failed
//   with EAGAIN). This is exactly the edge the reactor's IO protocol needs: a task waits only
//   after EAGAIN, and that EAGAIN re-arms the direction it waits for; data that arrived in
//   between makes the new request complete at once, so no edge is lost. Hang-up, reset and
//   connect failure are final states: reported once, never asked for again. A request is only
//   issued while a direction is asked for; with both directions reported and not yet drained
//   nobody can be waiting, so nothing needs watching.
// - A request that asks for less than is now wanted (a direction was re-armed, or modify()
//   changed the interest) is cancelled; its completion (STATUS_CANCELLED, or its events if it
//   finished first) issues the new one.
// - remove() cancels the request in flight and moves the Watch to `retired_`, where it stays
//   until its completion arrives: the driver writes the status block when the request ends,
//   so the memory must outlive it. A completion of a retired Watch is dropped. The destructor
//   cancels everything and waits for those completions before freeing.
// - A socket closed while watched (closesocket behind the poller's back) completes its
//   request with AFD_POLL_LOCAL_CLOSE, reported as hang-up and error so a waiting task wakes
//   and its next call fails; the Watch is not polled again, and add() of a new socket that got
//   the same handle value replaces it.
// - A request the driver refuses (an invalid base handle) is reported by the next wait() as an
//   error event for the token; add() throws instead.
//
// Locking: a mutex guards the Watches; wait() holds it only while it handles the completions
// it dequeued, never while it blocks in GetQueuedCompletionStatusEx.
//
// Wine 8.0 (the CI runs the Windows build there) implements IOCTL_AFD_POLL, SIO_BASE_HANDLE
// and cancellation of a pending poll; see docs/architecture.md for what it showed.

#include <winsock2.h>
// winsock2.h before windows.h.
#include <windows.h>
#include <winternl.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include <weft/io/poller.hpp>

namespace weft::io {

class IocpPoller final : public Poller {
 public:
  // Throws std::system_error if the completion port or the AFD handle cannot be opened.
  IocpPoller();
  ~IocpPoller() override;

  // Throws std::system_error: ENOTSOCK for a handle that is not a socket, EEXIST for one
  // already watched, or the driver's refusal of the first poll request.
  void add(NativeHandle socket, std::uint64_t token, Interest interest) override;
  void modify(NativeHandle socket, std::uint64_t token, Interest interest) override;
  void remove(NativeHandle socket) override;
  std::size_t wait(std::span<Event> events,
                   std::optional<std::chrono::nanoseconds> timeout) override;
  void wake() override;
  void rearm(NativeHandle socket, Readiness drained) noexcept override;

 private:
  struct Watch;
  using WatchPtr = std::unique_ptr<Watch>;

  // Closes a Win32 handle when destroyed.
  struct HandleCloser {
    void operator()(HANDLE handle) const noexcept { ::CloseHandle(handle); }
  };
  using OwnedHandle = std::unique_ptr<void, HandleCloser>;

  // All with mutex_ held.
  void refresh(Watch& watch) noexcept;
  NTSTATUS submit(Watch& watch, ULONG events) noexcept;
  void cancel(Watch& watch) noexcept;
  void retire(WatchPtr watch) noexcept;
  void report_failure(Watch& watch) noexcept;
  bool post_wake() noexcept;
  std::size_t take_failures(std::span<Event> events);
  bool handle_completion(const OVERLAPPED_ENTRY& entry, Event& event) noexcept;

  void drain_retired() noexcept;

  OwnedHandle port_;
  OwnedHandle afd_;
  std::mutex mutex_;
  std::unordered_map<NativeHandle, WatchPtr> watches_;
  std::unordered_map<Watch*, WatchPtr> retired_;  // removed while their request was in flight
  std::vector<std::uint64_t> failed_;             // tokens whose request the driver refused
  std::atomic<bool> wake_posted_{false};
  std::vector<OVERLAPPED_ENTRY> entries_;  // used by the single waiting thread only
};

}  // namespace weft::io
