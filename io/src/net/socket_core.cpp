#include "socket_core.hpp"
#include "text.hpp"

#include <string>
#include <system_error>

#include <sys/socket.h>

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
  const int fd = ::socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw IoError(errno, op);
  return io::FileDescriptor(fd);
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

SocketAddress SocketCore::local_address(const char* op) {
  const Use use(*this);
  if (!use) throw_closed(op);
  sockaddr_storage storage{};
  socklen_t length = sizeof storage;
  if (::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&storage), &length) != 0) {
    throw IoError(errno, op);
  }
  return SocketAddress::from_native(reinterpret_cast<const sockaddr*>(&storage), length);
}

SocketAddress SocketCore::peer_address(const char* op) {
  const Use use(*this);
  if (!use) throw_closed(op);
  sockaddr_storage storage{};
  socklen_t length = sizeof storage;
  if (::getpeername(fd_.get(), reinterpret_cast<sockaddr*>(&storage), &length) != 0) {
    throw IoError(errno, op);
  }
  return SocketAddress::from_native(reinterpret_cast<const sockaddr*>(&storage), length);
}

void SocketCore::set_option(int level, int name, int value, const char* op) {
  const Use use(*this);
  if (!use) throw_closed(op);
  if (::setsockopt(fd_.get(), level, name, &value, sizeof value) != 0) throw IoError(errno, op);
}

int SocketCore::get_option(int level, int name, const char* op) {
  const Use use(*this);
  if (!use) throw_closed(op);
  int value = 0;
  socklen_t length = sizeof value;
  if (::getsockopt(fd_.get(), level, name, &value, &length) != 0) throw IoError(errno, op);
  return value;
}

void SocketCore::shutdown(int how, const char* op) {
  const Use use(*this);
  if (!use) throw_closed(op);
  if (::shutdown(fd_.get(), how) != 0) throw IoError(errno, op);
}

}  // namespace weft::net::detail
