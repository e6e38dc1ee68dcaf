#include "test_sockets.hpp"

#include <cerrno>
#include <system_error>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace weft_test {

namespace {

[[noreturn]] void throw_errno(const char* what) {
  throw std::system_error(errno, std::system_category(), what);
}

}  // namespace

FdPair make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) throw_errno("pipe2");
  return {weft::io::FileDescriptor(fds[0]), weft::io::FileDescriptor(fds[1])};
}

FdPair make_socketpair() {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0) {
    throw_errno("socketpair");
  }
  return {weft::io::FileDescriptor(fds[0]), weft::io::FileDescriptor(fds[1])};
}

FdPair make_tcp_pair() {
  const weft::io::FileDescriptor listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!listener) throw_errno("socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(listener.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0 ||
      ::listen(listener.get(), 1) != 0) {
    throw_errno("bind/listen");
  }
  weft::io::FileDescriptor client(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!client) throw_errno("socket");
  if (::connect(client.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    throw_errno("connect");
  }
  weft::io::FileDescriptor server(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
  if (!server) throw_errno("accept4");
  for (const int fd : {client.get(), server.get()}) {
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) throw_errno("fcntl");
  }
  const int on = 1;
  ::setsockopt(client.get(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  return {std::move(client), std::move(server)};
}

bool system_has_unix_sockets() {
  return true;
}

std::ptrdiff_t write_some(weft::io::NativeHandle fd, const void* data, std::size_t size) {
  return ::write(fd, data, size);
}

std::ptrdiff_t read_some(weft::io::NativeHandle fd, void* buffer, std::size_t size) {
  return ::read(fd, buffer, size);
}

bool last_call_would_block() {
  return errno == EAGAIN || errno == EWOULDBLOCK;
}

bool wait_readable(weft::io::NativeHandle fd, std::chrono::milliseconds timeout) {
  pollfd waiting{fd, POLLIN, 0};
  return ::poll(&waiting, 1, static_cast<int>(timeout.count())) == 1;
}

void shutdown_both(weft::io::NativeHandle fd) {
  ::shutdown(fd, SHUT_RDWR);
}

void write_byte(weft::io::NativeHandle fd, char byte) {
  if (::write(fd, &byte, 1) != 1) throw_errno("write");
}

std::size_t drain(weft::io::NativeHandle fd) {
  char buffer[4096];
  std::size_t total = 0;
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) return total;
    total += static_cast<std::size_t>(n);
  }
}

std::size_t fill(weft::io::NativeHandle fd) {
  const std::vector<char> chunk(4096, 'x');
  std::size_t total = 0;
  for (;;) {
    const ssize_t n = ::write(fd, chunk.data(), chunk.size());
    if (n <= 0) return total;
    total += static_cast<std::size_t>(n);
  }
}

void close_with_reset(weft::io::FileDescriptor& fd) {
  const linger value{1, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_LINGER, &value, sizeof value);
  fd.reset();
}

}  // namespace weft_test
