#pragma once
// SocketCore: one descriptor, its reactor registration and its open/closed state: the part
// every weft socket type shares (TCP, Unix, UDP, listeners, signalfd). It implements the
// reactor's IO protocol once (poll_io) so that each operation is a syscall in a lambda.
//
// Closing while others use the descriptor. close() may be called from any thread while
// another task is inside an operation or waiting for readiness. The state word counts the
// operations that are using the descriptor right now (a Use); close() marks the core
// closed and, if no Use is held, tears it down at once: deregisters (which wakes the
// waiting reader and writer) and closes the descriptor. Otherwise the last Use to end does
// the teardown, so no syscall ever runs on a closed (or reused) descriptor number. An
// operation that finds the core closed throws IoError(EBADF, "<op> on a closed socket").

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>

#include <weft/io/file_descriptor.hpp>
#include <weft/io/net/error.hpp>
#include <weft/io/net/socket_address.hpp>
#include <weft/io/net/socket_handle.hpp>
#include <weft/io/reactor.hpp>
#include <weft/io/registration.hpp>
#include <weft/scheduler/context.hpp>
#include <weft/scheduler/coop.hpp>
#include <weft/scheduler/poll.hpp>

#include "../sys/socket_api.hpp"

namespace weft::net::detail {

// The outcome of one syscall: a count, or the errno value it failed with (never EAGAIN/EINTR).
struct IoResult {
  std::size_t value = 0;
  int error = 0;
};

// Whether a short transfer proves the kernel buffer drained (read) or full (write). True
// for stream sockets; never for datagrams, where a short read is just a small datagram.
enum class Transfer : std::uint8_t { stream, message };

class SocketCore {
 public:
  // Takes `fd` (non-blocking) and registers it with `reactor`. Throws IoError naming `op`
  // (the descriptor is closed) if the reactor refuses it.
  static SocketPtr adopt(io::Reactor& reactor, io::FileDescriptor fd, Transfer transfer,
                         const char* op);
  // A non-blocking socket (sys::open_socket); throws IoError naming `op`.
  static io::FileDescriptor open_socket(int family, int type, const char* op);
  [[noreturn]] static void throw_closed(const char* op);

  SocketCore(const SocketCore&) = delete;
  SocketCore& operator=(const SocketCore&) = delete;
  ~SocketCore() { close(); }

  // Holds the descriptor open for the duration of one operation.
  class Use {
   public:
    explicit Use(SocketCore& core) noexcept : core_(core.acquire() ? &core : nullptr) {}
    Use(const Use&) = delete;
    Use& operator=(const Use&) = delete;
    ~Use() {
      if (core_ != nullptr) core_->release();
    }
    explicit operator bool() const noexcept { return core_ != nullptr; }

   private:
    SocketCore* core_;
  };

  void close() noexcept;
  bool is_closed() const noexcept {
    return (state_.load(std::memory_order_acquire) & kClosed) != 0;
  }
  io::Reactor& reactor() const noexcept { return *reactor_; }
  // The descriptor. Valid only while a Use is held (or by a sole owner).
  io::NativeHandle fd() const noexcept { return fd_.get(); }

  // One operation in `direction` under the IO protocol of reactor.hpp: `syscall(fd)` returns
  // a count or -1 with the error in sys::last_error(). Pending while the descriptor is not ready;
  // the syscall is skipped when the registration's readiness says it would only return EAGAIN.
  // Consumes one unit of the task's coop budget. Throws only for a closed core.
  template <class Syscall>
  Poll<IoResult> poll_io(io::Direction direction, Context& cx, const char* op,
                         std::size_t requested, Syscall&& syscall);

  // Readiness primitives, for operations that are not one syscall (connect).
  io::ReadyEvent readiness(io::Direction direction) const noexcept {
    return reactor_->readiness(registration_, direction);
  }
  void clear_readiness(io::ReadyEvent seen) noexcept {
    reactor_->clear_readiness(registration_, seen);
  }
  bool poll_ready(io::Direction direction, Context& cx) noexcept {
    return reactor_->poll_ready(registration_, direction, cx);
  }

  // Synchronous helpers; each throws IoError naming `op` (EBADF when closed).
  SocketAddress local_address(const char* op = "getsockname");
  SocketAddress peer_address(const char* op = "getpeername");
  void set_flag(io::sys::SocketFlag flag, bool enabled, const char* op);
  bool get_flag(io::sys::SocketFlag flag, const char* op);
  void shutdown(io::sys::ShutdownHow how, const char* op);
  // Runs `call(fd)` (a sys:: function returning 0 or -1) under a Use; throws IoError naming
  // `op` when the core is closed or the call fails.
  template <class Call>
  void control(const char* op, Call&& call) {
    const Use use(*this);
    if (!use) throw_closed(op);
    if (call(fd_.get()) != 0) throw IoError(io::sys::last_error(), op);
  }

 private:
  SocketCore(io::Reactor& reactor, io::FileDescriptor fd, Transfer transfer) noexcept
      : reactor_(&reactor), fd_(std::move(fd)), transfer_(transfer) {}

  static constexpr std::uint32_t kClosed = 1;  // close() was called
  static constexpr std::uint32_t kDone = 2;    // torn down
  static constexpr std::uint32_t kUse = 4;     // one Use; the count is state_ >> 2

  bool acquire() noexcept {
    if (state_.fetch_add(kUse, std::memory_order_acquire) & kClosed) {
      release();
      return false;
    }
    return true;
  }
  void release() noexcept {
    if (state_.fetch_sub(kUse, std::memory_order_acq_rel) - kUse == kClosed) finish();
  }
  void finish() noexcept;

  // The short-transfer shortcut: a stream transfer of 0 < n < requested bytes proves that
  // the buffer was drained (or filled), so the readiness the snapshot saw is cleared and
  // the next operation waits for an edge instead of making a syscall that would return
  // EAGAIN. Only when the snapshot held nothing but the direction's own signal: hang-up
  // and error stay set, because a short read may leave a FIN behind it whose event was
  // already applied, and no further edge would come for it.
  void clear_after_short_transfer(io::Direction direction, io::ReadyEvent seen) noexcept;

  io::Reactor* reactor_;
  io::FileDescriptor fd_;
  io::RegistrationHandle registration_;  // after fd_: deregistered before it closes
  std::atomic<std::uint32_t> state_{0};
  Transfer transfer_;
};

template <class Syscall>
Poll<IoResult> SocketCore::poll_io(io::Direction direction, Context& cx, const char* op,
                                   std::size_t requested, Syscall&& syscall) {
  if (!coop::poll_proceed(cx)) return pending;  // budget spent: the task was re-woken
  const Use use(*this);
  if (!use) throw_closed(op);
  for (bool first = true;; first = false) {
    const io::ReadyEvent seen = reactor_->readiness(registration_, direction);
    // Tick 0 means no event was applied yet (a fresh registration): try the syscall rather
    // than wait for the reactor to report the initial state.
    if (seen.is_ready() || (first && seen.tick == 0)) {
      const std::ptrdiff_t n = syscall(fd_.get());
      if (n >= 0) {
        const auto count = static_cast<std::size_t>(n);
        if (count != 0 && count < requested) clear_after_short_transfer(direction, seen);
        return IoResult{count, 0};
      }
      const int error = io::sys::last_error();
      if (error == EINTR) continue;
      if (error != EAGAIN && error != EWOULDBLOCK) return IoResult{0, error};
      reactor_->clear_readiness(registration_, seen);
    }
    if (!reactor_->poll_ready(registration_, direction, cx)) return pending;
  }
}

}  // namespace weft::net::detail
