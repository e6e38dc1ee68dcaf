#pragma once
// RegistrationHandle: a descriptor's registration with a Reactor, for the descriptor's whole
// life. Destroying (or reset()ting) it deregisters: the descriptor leaves the poller, its
// token goes stale, and a task still waiting on it is woken to find out.
//
// Declare it after the FileDescriptor it watches, so that it is destroyed first: the
// descriptor must still be open when it leaves the poller. The Reactor must outlive it.

#include <cstdint>

#include <weft/io/native_handle.hpp>
#include <weft/io/readiness.hpp>

namespace weft::io {

class Reactor;
namespace detail {
struct Registration;
}

enum class Direction : std::uint8_t { read, write };

// The signals that make an operation in `direction` not block. Hang-up and error count for
// both: the syscall then reports end-of-file, EPIPE or the error instead of blocking.
constexpr Readiness ready_signals(Direction direction) noexcept {
  return (direction == Direction::read ? Readiness::readable : Readiness::writable) |
         Readiness::hang_up | Readiness::error;
}

// A snapshot of one direction's readiness and of the registration's tick, taken before a
// syscall and handed back to Reactor::clear_readiness() if that syscall hit EAGAIN.
struct ReadyEvent {
  Readiness readiness = Readiness::none;  // the direction's signals seen (possibly none)
  std::uint16_t tick = 0;                 // the registration's event count, modulo 2^16

  bool is_ready() const noexcept { return readiness != Readiness::none; }
};

class RegistrationHandle {
 public:
  RegistrationHandle() noexcept = default;
  RegistrationHandle(const RegistrationHandle&) = delete;
  RegistrationHandle& operator=(const RegistrationHandle&) = delete;
  RegistrationHandle(RegistrationHandle&& other) noexcept;
  RegistrationHandle& operator=(RegistrationHandle&& other) noexcept;
  ~RegistrationHandle() { reset(); }

  // Deregisters now (no-op when empty).
  void reset() noexcept;

  explicit operator bool() const noexcept { return registration_ != nullptr; }
  NativeHandle fd() const noexcept { return fd_; }
  // The token events for this descriptor carry (index | generation << 32).
  std::uint64_t token() const noexcept { return token_; }

 private:
  friend class Reactor;
  RegistrationHandle(Reactor* reactor, detail::Registration* registration, NativeHandle fd,
                     std::uint64_t token) noexcept
      : reactor_(reactor), registration_(registration), fd_(fd), token_(token) {}

  Reactor* reactor_ = nullptr;
  detail::Registration* registration_ = nullptr;  // stable for the reactor's lifetime
  NativeHandle fd_ = invalid_handle;
  std::uint64_t token_ = 0;
};

}  // namespace weft::io
