#include <weft/io/net/connect.hpp>

#include <string>

#include <weft/io/current_reactor.hpp>
#include <weft/io/net/error.hpp>

#include "../sys/native_socket.hpp"
#include "socket_core.hpp"
#include "text.hpp"

namespace weft::net::detail {

void ConnectCore::fail(int error) const {
  throw IoError(error, detail::concat({"connect ", address_.to_string()}));
}

bool ConnectCore::start() {
  if (reactor_ == nullptr) reactor_ = &io::current_reactor();
  const std::string op = detail::concat({"connect ", address_.to_string()});
  io::FileDescriptor fd =
      SocketCore::open_socket(address_.native_family(), SOCK_STREAM, op.c_str());
  const int rc = io::sys::connect_socket(fd.get(), address_.native(), address_.native_length());
  const int error = rc == 0 ? 0 : io::sys::last_error();
  // EINPROGRESS: TCP's handshake under way. EINTR on a non-blocking socket also leaves it
  // under way. A Unix socket with a full backlog says EAGAIN: reported as an error.
  if (error != 0 && error != EINPROGRESS && error != EINTR) fail(error);
  // Registered only now: before connect(2), epoll reports a fresh TCP socket as writable
  // and hung up, which would read as "connected" below.
  socket_ = SocketCore::adopt(*reactor_, std::move(fd), Transfer::stream, op.c_str());
  if (error == 0) return true;
  if (timeout_) deadline_.emplace(io::Sleep::after(*reactor_, *timeout_));
  return false;
}

Poll<SocketPtr> ConnectCore::poll(Context& cx) {
  if (!socket_ && start()) return std::move(socket_);
  for (;;) {
    const io::ReadyEvent seen = socket_->readiness(io::Direction::write);
    if (seen.is_ready()) {
      int error = 0;
      socket_->control("connect", [&error](io::NativeHandle fd) {
        return io::sys::take_pending_error(fd, &error);
      });
      if (error != 0) fail(error);
      SocketAddress::Storage peer{};
      std::uint32_t length = sizeof peer;
      if (io::sys::peer_name(socket_->fd(), reinterpret_cast<sockaddr*>(&peer), &length) == 0) {
        return std::move(socket_);
      }
      if (io::sys::last_error() != ENOTCONN) fail(io::sys::last_error());
      socket_->clear_readiness(seen);  // not yet: wait for the next edge
    }
    if (!socket_->poll_ready(io::Direction::write, cx)) break;
  }
  if (deadline_ && deadline_->poll(cx).is_ready()) {
    socket_.reset();
    fail(ETIMEDOUT);
  }
  return pending;
}

}  // namespace weft::net::detail
