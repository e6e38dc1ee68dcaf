#include <weft/io/net/stream_socket.hpp>

#include "socket_core.hpp"

namespace weft::net {

namespace {

using detail::IoResult;
using detail::SocketCore;
using io::Direction;

detail::SocketCore& require(detail::SocketCore* core, const char* op) {
  if (core == nullptr) SocketCore::throw_closed(op);
  return *core;
}

Poll<IoResult> poll_recv(SocketCore& core, Context& cx, const char* op,
                         std::span<std::byte> buffer) {
  return core.poll_io(Direction::read, cx, op, buffer.size(), [buffer](io::NativeHandle fd) {
    return io::sys::receive(fd, buffer.data(), buffer.size());
  });
}

Poll<IoResult> poll_send(SocketCore& core, Context& cx, const char* op,
                         std::span<const std::byte> data) {
  return core.poll_io(Direction::write, cx, op, data.size(), [data](io::NativeHandle fd) {
    return io::sys::send(fd, data.data(), data.size());
  });
}

}  // namespace

Poll<std::size_t> ReadFuture::poll(Context& cx) {
  SocketCore& core = require(core_, "read");
  if (buffer_.empty()) return std::size_t{0};
  Poll<IoResult> result = poll_recv(core, cx, "read", buffer_);
  if (result.is_pending()) return pending;
  if (result.value().error != 0) throw IoError(result.value().error, "read");
  return result.value().value;
}

Poll<std::size_t> WriteFuture::poll(Context& cx) {
  SocketCore& core = require(core_, "write");
  if (data_.empty()) return std::size_t{0};
  Poll<IoResult> result = poll_send(core, cx, "write", data_);
  if (result.is_pending()) return pending;
  if (result.value().error != 0) throw IoError(result.value().error, "write");
  return result.value().value;
}

Poll<void> ReadExactFuture::poll(Context& cx) {
  SocketCore& core = require(core_, "read_exact");
  while (done_ < buffer_.size()) {
    Poll<IoResult> result = poll_recv(core, cx, "read_exact", buffer_.subspan(done_));
    if (result.is_pending()) return pending;
    if (result.value().error != 0) throw IoError(result.value().error, "read_exact");
    if (result.value().value == 0) throw UnexpectedEof(done_, buffer_.size());
    done_ += result.value().value;
  }
  return ready;
}

Poll<void> WriteAllFuture::poll(Context& cx) {
  SocketCore& core = require(core_, "write_all");
  while (done_ < data_.size()) {
    Poll<IoResult> result = poll_send(core, cx, "write_all", data_.subspan(done_));
    if (result.is_pending()) return pending;
    if (result.value().error != 0) throw IoError(result.value().error, "write_all");
    done_ += result.value().value;
  }
  return ready;
}

void StreamSocket::shutdown(Shutdown how) {
  using io::sys::ShutdownHow;
  const ShutdownHow native = how == Shutdown::read    ? ShutdownHow::read
                             : how == Shutdown::write ? ShutdownHow::write
                                                      : ShutdownHow::both;
  require(core_.get(), "shutdown").shutdown(native, "shutdown");
}

void StreamSocket::close() noexcept {
  if (core_) core_->close();
}

bool StreamSocket::is_open() const noexcept {
  return core_ && !core_->is_closed();
}

SocketAddress StreamSocket::local_address() const {
  return require(core_.get(), "local_address").local_address("local_address");
}

SocketAddress StreamSocket::peer_address() const {
  return require(core_.get(), "peer_address").peer_address("peer_address");
}

io::NativeHandle StreamSocket::native_handle() const noexcept {
  return is_open() ? core_->fd() : io::invalid_handle;
}

}  // namespace weft::net
