#include "socket_core.hpp"
#include "text.hpp"

#include <string>
#include <system_error>

namespace weft::net::detail {

void SocketCoreDeleter::operator()(SocketCore* core) const noexcept {
  delete core;
}

SocketPtr SocketCore::adopt(io::Reactor& reactor, io::FileDescriptor fd, Transfer transfer,
                            const char* op) {
  SocketPtr core(new SocketCore(reactor, std::move(fd), transfer));
  try {
    core->registration_ = reactor.register_fd(core->fd_.get());
  } catch (const std::system_error& e) {
    throw IoError(e.code(), detail::concat({op, " (register with the reactor)"}));
  }
  return core;
}

io::FileDescriptor SocketCore::open_socket(int family, int type, const char* op) {
  io::FileDescriptor fd(io::sys::open_socket(family, type));
  if (!fd) throw IoError(io::sys::last_error(), op);
  return fd;
}

void SocketCore::throw_closed(const char* op) {
  throw IoError(EBADF, detail::concat({op, " on a closed socket"}));
}

void SocketCore::close() noexcept {
  const std::uint32_t previous = state_.fetch_or(kClosed, std::memory_order_acq_rel);
  if ((previous & kClosed) == 0 && previous < kUse) finish();
}

void SocketCore::finish() noexcept {
  // Exactly one caller gets past this: the one that saw "closed, no Use, not done".
  std::uint32_t expected = kClosed;
  if (!state_.compare_exchange_strong(expected, kClosed | kDone, std::memory_order_acq_rel)) {
    return;
  }
  registration_.reset();  // leaves the poller while the descriptor is open; wakes waiters
  fd_.reset();
}

void SocketCore::clear_after_short_transfer(io::Direction direction, io::ReadyEvent seen) noexcept {
  const io::Readiness own =
      direction == io::Direction::read ? io::Readiness::readable : io::Readiness::writable;
  if (transfer_ == Transfer::stream && seen.readiness == own) {
    reactor_->clear_readiness(registration_, seen);
  }
}

namespace {

using NameCall = int (*)(io::NativeHandle, sockaddr*, std::uint32_t*) noexcept;

SocketAddress name_of(io::NativeHandle fd, NameCall call, const char* op) {
  SocketAddress::Storage storage{};
  std::uint32_t length = sizeof storage;
  if (call(fd, reinterpret_cast<sockaddr*>(&storage), &length) != 0) {
    throw IoError(io::sys::last_error(), op);
  }
  return SocketAddress::from_native(reinterpret_cast<const sockaddr*>(&storage), length);
}

}  // namespace

SocketAddress SocketCore::local_address(const char* op) {
  const Use use(*this);
  if (!use) throw_closed(op);
  return name_of(fd_.get(), &io::sys::local_name, op);
}

SocketAddress SocketCore::peer_address(const char* op) {
  const Use use(*this);
  if (!use) throw_closed(op);
  return name_of(fd_.get(), &io::sys::peer_name, op);
}

void SocketCore::set_flag(io::sys::SocketFlag flag, bool enabled, const char* op) {
  control(op,
          [flag, enabled](io::NativeHandle fd) { return io::sys::set_flag(fd, flag, enabled); });
}

bool SocketCore::get_flag(io::sys::SocketFlag flag, const char* op) {
  const Use use(*this);
  if (!use) throw_closed(op);
  const int value = io::sys::get_flag(fd_.get(), flag);
  if (value < 0) throw IoError(io::sys::last_error(), op);
  return value != 0;
}

void SocketCore::shutdown(io::sys::ShutdownHow how, const char* op) {
  control(op, [how](io::NativeHandle fd) { return io::sys::shutdown_socket(fd, how); });
  // A read waiting on the socket must now end with end of file. Where the poller does not
  // say so (Windows), the reactor is told here.
  if (how != io::sys::ShutdownHow::write && !io::sys::poller_sees_read_shutdown()) {
    reactor_->report(registration_, io::Readiness::readable);
  }
}

}  // namespace weft::net::detail
