#include <weft/io/net/udp_socket.hpp>

#include <stdexcept>
#include <string>

#include <weft/io/current_reactor.hpp>
#include <weft/io/net/error.hpp>

#include "../sys/native_socket.hpp"
#include "socket_core.hpp"
#include "text.hpp"

namespace weft::net {

namespace {

using detail::IoResult;
using detail::SocketCore;

SocketCore& require(SocketCore* core, const char* op) {
  if (core == nullptr) SocketCore::throw_closed(op);
  return *core;
}

}  // namespace

UdpSocket UdpSocket::bind(const SocketAddress& address) {
  return bind(io::current_reactor(), address);
}

UdpSocket UdpSocket::bind(io::Reactor& reactor, const SocketAddress& address) {
  if (!address.is_ipv4() && !address.is_ipv6()) {
    throw std::invalid_argument(detail::concat(
        {"weft: UdpSocket::bind needs an IPv4 or IPv6 address, not ", address.to_string()}));
  }
  const std::string op = detail::concat({"bind ", address.to_string()});
  io::FileDescriptor fd = SocketCore::open_socket(address.native_family(), SOCK_DGRAM, op.c_str());
  if (io::sys::bind_socket(fd.get(), address.native(), address.native_length()) != 0) {
    throw IoError(io::sys::last_error(), op);
  }
  return UdpSocket(
      SocketCore::adopt(reactor, std::move(fd), detail::Transfer::message, op.c_str()));
}

Poll<std::size_t> SendToFuture::poll(Context& cx) {
  SocketCore& core = require(core_, "send_to");
  Poll<IoResult> result =
      core.poll_io(io::Direction::write, cx, "send_to", data_.size(), [this](io::NativeHandle fd) {
        return io::sys::send_to(fd, data_.data(), data_.size(), to_.native(), to_.native_length());
      });
  if (result.is_pending()) return pending;
  if (result.value().error != 0) {
    throw IoError(result.value().error, detail::concat({"send_to ", to_.to_string()}));
  }
  return result.value().value;
}

Poll<std::pair<std::size_t, SocketAddress>> RecvFromFuture::poll(Context& cx) {
  SocketCore& core = require(core_, "recv_from");
  SocketAddress::Storage from{};
  std::uint32_t length = sizeof from;
  Poll<IoResult> result =
      core.poll_io(io::Direction::read, cx, "recv_from", buffer_.size(),
                   [this, &from, &length](io::NativeHandle fd) {
                     length = sizeof from;
                     return io::sys::receive_from(fd, buffer_.data(), buffer_.size(),
                                                  reinterpret_cast<sockaddr*>(&from), &length);
                   });
  if (result.is_pending()) return pending;
  if (result.value().error != 0) throw IoError(result.value().error, "recv_from");
  return std::pair<std::size_t, SocketAddress>(
      result.value().value,
      SocketAddress::from_native(reinterpret_cast<const sockaddr*>(&from), length));
}

void UdpSocket::connect(const SocketAddress& peer) {
  const std::string op = detail::concat({"connect ", peer.to_string()});
  require(core_.get(), "connect").control(op.c_str(), [&peer](io::NativeHandle fd) {
    return io::sys::connect_socket(fd, peer.native(), peer.native_length());
  });
}

void UdpSocket::set_broadcast(bool enabled) {
  require(core_.get(), "set_broadcast")
      .set_flag(io::sys::SocketFlag::broadcast, enabled, "set_broadcast");
}

SocketAddress UdpSocket::local_address() const {
  return require(core_.get(), "local_address").local_address("local_address");
}

SocketAddress UdpSocket::peer_address() const {
  return require(core_.get(), "peer_address").peer_address("peer_address");
}

void UdpSocket::close() noexcept {
  if (core_) core_->close();
}

bool UdpSocket::is_open() const noexcept {
  return core_ && !core_->is_closed();
}

io::NativeHandle UdpSocket::native_handle() const noexcept {
  return is_open() ? core_->fd() : io::invalid_handle;
}

}  // namespace weft::net
