#include "test_sockets.hpp"

#include <winsock2.h>
// winsock2.h before the others.
#include <windows.h>
#include <ws2tcpip.h>

#include <system_error>
#include <vector>

namespace weft_test {

namespace {

[[noreturn]] void throw_wsa(const char* what) {
  throw std::system_error(::WSAGetLastError(), std::system_category(), what);
}

void start_winsock() {
  static const bool started = [] {
    WSADATA data;
    return ::WSAStartup(MAKEWORD(2, 2), &data) == 0;
  }();
  if (!started) throw std::runtime_error("WSAStartup failed");
}

weft::io::FileDescriptor adopt(SOCKET socket, const char* what) {
  if (socket == INVALID_SOCKET) throw_wsa(what);
  weft::io::FileDescriptor owned(static_cast<weft::io::NativeHandle>(socket));
  u_long on = 1;
  if (::ioctlsocket(socket, FIONBIO, &on) != 0) throw_wsa("ioctlsocket(FIONBIO)");
  return owned;
}

}  // namespace

FdPair make_tcp_pair() {
  start_winsock();
  const weft::io::FileDescriptor listener(
      static_cast<weft::io::NativeHandle>(::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)));
  if (!listener) throw_wsa("socket");
  const auto raw_listener = static_cast<SOCKET>(listener.get());
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int length = sizeof address;
  if (::bind(raw_listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(raw_listener, reinterpret_cast<sockaddr*>(&address), &length) != 0 ||
      ::listen(raw_listener, 1) != 0) {
    throw_wsa("bind/listen");
  }
  const SOCKET client = ::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  if (client == INVALID_SOCKET) throw_wsa("socket");
  weft::io::FileDescriptor owned_client(static_cast<weft::io::NativeHandle>(client));
  if (::connect(client, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    throw_wsa("connect");
  }
  weft::io::FileDescriptor server = adopt(::accept(raw_listener, nullptr, nullptr), "accept");
  u_long on = 1;
  if (::ioctlsocket(client, FIONBIO, &on) != 0) throw_wsa("ioctlsocket(FIONBIO)");
  const BOOL no_delay = TRUE;
  ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<const char*>(&no_delay),
               sizeof no_delay);
  return {std::move(owned_client), std::move(server)};
}

FdPair make_pipe() {
  // The write end is the client: closing it sends FIN, the read end's end of file.
  FdPair pair = make_tcp_pair();
  return {std::move(pair.second), std::move(pair.first)};
}

FdPair make_socketpair() {
  return make_tcp_pair();
}

bool system_has_unix_sockets() {
  start_winsock();
  const SOCKET probe = ::socket(AF_UNIX, SOCK_STREAM, 0);
  if (probe == INVALID_SOCKET) return false;
  ::closesocket(probe);
  return true;
}

std::ptrdiff_t write_some(weft::io::NativeHandle fd, const void* data, std::size_t size) {
  return ::send(static_cast<SOCKET>(fd), static_cast<const char*>(data), static_cast<int>(size), 0);
}

std::ptrdiff_t read_some(weft::io::NativeHandle fd, void* buffer, std::size_t size) {
  return ::recv(static_cast<SOCKET>(fd), static_cast<char*>(buffer), static_cast<int>(size), 0);
}

bool last_call_would_block() {
  return ::WSAGetLastError() == WSAEWOULDBLOCK;
}

bool wait_readable(weft::io::NativeHandle fd, std::chrono::milliseconds timeout) {
  WSAPOLLFD waiting{};
  waiting.fd = static_cast<SOCKET>(fd);
  waiting.events = POLLRDNORM;
  return ::WSAPoll(&waiting, 1, static_cast<int>(timeout.count())) == 1;
}

void shutdown_both(weft::io::NativeHandle fd) {
  ::shutdown(static_cast<SOCKET>(fd), SD_BOTH);
}

void write_byte(weft::io::NativeHandle fd, char byte) {
  if (write_some(fd, &byte, 1) != 1) throw_wsa("send");
}

std::size_t drain(weft::io::NativeHandle fd) {
  char buffer[4096];
  std::size_t total = 0;
  for (;;) {
    const std::ptrdiff_t n = read_some(fd, buffer, sizeof buffer);
    if (n <= 0) return total;
    total += static_cast<std::size_t>(n);
  }
}

std::size_t fill(weft::io::NativeHandle fd) {
  const std::vector<char> chunk(4096, 'x');
  std::size_t total = 0;
  for (;;) {
    const std::ptrdiff_t n = write_some(fd, chunk.data(), chunk.size());
    if (n <= 0) return total;
    total += static_cast<std::size_t>(n);
  }
}

void close_with_reset(weft::io::FileDescriptor& fd) {
  const linger value{1, 0};
  ::setsockopt(static_cast<SOCKET>(fd.get()), SOL_SOCKET, SO_LINGER,
               reinterpret_cast<const char*>(&value), sizeof value);
  fd.reset();
}

}  // namespace weft_test
