// Winsock 2 on Windows (sys/socket_api.hpp). What differs from BSD sockets, and how each call
// below gets back to the POSIX behaviour the code above expects:
// - Errors come from WSAGetLastError(), numbered WSAE*: mapped to <cerrno> values
//   (windows_errors.hpp) and kept per thread for last_error().
// - Sockets are handles: created with WSA_FLAG_NO_HANDLE_INHERIT (close-on-exec) and made
//   non-blocking with ioctlsocket(FIONBIO); accepted sockets inherit both from the listener
//   and are set again anyway. closesocket(), not close(). No SIGPIPE exists.
// - A non-blocking connect under way reports WSAEWOULDBLOCK: reported as EINPROGRESS.
// - recv() after shutdown(SD_RECEIVE) fails with WSAESHUTDOWN where Linux returns end of file:
//   0 is returned. A datagram longer than the buffer fails with WSAEMSGSIZE after filling it,
//   where Linux returns the truncated length: the buffer's size is returned.
// - An unconnected UDP socket reports an ICMP "port unreachable" for an earlier send as
//   WSAECONNRESET on its next recvfrom; Linux reports nothing. SIO_UDP_CONNRESET turns that off.
// - SO_REUSEADDR on Windows lets a socket take over a port another socket is bound to, which
//   is not what POSIX code means by it: POSIX's meaning (bind despite connections in
//   TIME_WAIT) is Windows' default, so reuse_address is accepted and changes nothing.
//   SO_REUSEPORT does not exist: ENOPROTOOPT.
// - Lengths are int, buffers at most INT_MAX bytes per call (larger requests are shortened,
//   which callers see as a short transfer).
// - AF_UNIX stream sockets exist since Windows 10 1803 (<afunix.h>); socket_pair() makes its
//   pair through a listener on a temporary path, as Windows has no socketpair().
#include "socket_api.hpp"

#include <winsock2.h>
// winsock2.h before the others.
#include <mstcpip.h>
#include <mswsock.h>
#include <windows.h>
#include <ws2tcpip.h>

#include <algorithm>
#include <cerrno>
#include <climits>

#include "windows_errors.hpp"
#include "winsock_windows.hpp"

namespace weft::io::sys {

namespace {

SOCKET native(NativeHandle socket) noexcept {
  return static_cast<SOCKET>(socket);
}

int clamp_length(std::size_t size) noexcept {
  return static_cast<int>(std::min<std::size_t>(size, INT_MAX));
}

int* as_int_length(std::uint32_t* length) noexcept {
  static_assert(sizeof(int) == sizeof(std::uint32_t));
  return reinterpret_cast<int*>(length);
}

int length_of(std::uint32_t length) noexcept {
  return static_cast<int>(std::min<std::uint32_t>(length, INT_MAX));
}

// The level and number of a flag; false (ENOPROTOOPT) where Windows has none.
bool option_of(SocketFlag flag, int& level, int& name) noexcept {
  switch (flag) {
    case SocketFlag::reuse_address:
      return false;  // handled by the callers: see the file comment
    case SocketFlag::reuse_port:
      break;
    case SocketFlag::no_delay:
      level = IPPROTO_TCP, name = TCP_NODELAY;
      return true;
    case SocketFlag::broadcast:
      level = SOL_SOCKET, name = SO_BROADCAST;
      return true;
  }
  fail(ENOPROTOOPT);
  return false;
}

// Non-blocking and, for datagram sockets, no ICMP errors on recvfrom. Closes `socket` and
// returns invalid_handle if a step fails.
NativeHandle finish_new_socket(SOCKET socket) noexcept {
  if (socket == INVALID_SOCKET) {
    fail_with_wsa_error();
    return invalid_handle;
  }
  if (set_nonblocking(socket) != 0) {
    const int error = last_error();
    ::closesocket(socket);
    fail(error);
    return invalid_handle;
  }
  int type = 0;
  int length = sizeof type;
  if (::getsockopt(socket, SOL_SOCKET, SO_TYPE, reinterpret_cast<char*>(&type), &length) == 0 &&
      type == SOCK_DGRAM) {
    BOOL report = FALSE;
    DWORD bytes = 0;
    // Best effort: a provider without the option keeps Windows' behaviour.
    ::WSAIoctl(socket, SIO_UDP_CONNRESET, &report, sizeof report, nullptr, 0, &bytes, nullptr,
               nullptr);
  }
  return socket;
}

}  // namespace

NativeHandle open_socket(int family, int type) noexcept {
  if (const int error = ensure_winsock()) {
    fail(error);
    return invalid_handle;
  }
  return finish_new_socket(
      ::WSASocketW(family, type, 0, nullptr, 0, WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT));
}

int close_handle(NativeHandle handle) noexcept {
  if (::closesocket(native(handle)) != 0) return fail_with_wsa_error();
  return 0;
}

int socket_pair(NativeHandle (&pair)[2]) noexcept {
  if (connected_pair(AF_UNIX, pair) != 0) return -1;
  for (const NativeHandle end : pair) {
    if (set_nonblocking(end) != 0) {
      const int error = last_error();
      ::closesocket(native(pair[0]));
      ::closesocket(native(pair[1]));
      return fail(error);
    }
  }
  return 0;
}

int bind_socket(NativeHandle socket, const sockaddr* address, std::uint32_t length) noexcept {
  if (::bind(native(socket), address, length_of(length)) != 0) return fail_with_wsa_error();
  return 0;
}

int listen_socket(NativeHandle socket, int backlog) noexcept {
  if (::listen(native(socket), backlog) != 0) return fail_with_wsa_error();
  return 0;
}

NativeHandle accept_socket(NativeHandle listener, sockaddr* address,
                           std::uint32_t* length) noexcept {
  const SOCKET accepted = ::accept(native(listener), address, as_int_length(length));
  if (accepted != INVALID_SOCKET) {
    ::SetHandleInformation(reinterpret_cast<HANDLE>(accepted), HANDLE_FLAG_INHERIT, 0);
  }
  return finish_new_socket(accepted);
}

int connect_socket(NativeHandle socket, const sockaddr* address, std::uint32_t length) noexcept {
  if (::connect(native(socket), address, length_of(length)) == 0) return 0;
  const int error = ::WSAGetLastError();
  return error == WSAEWOULDBLOCK ? fail(EINPROGRESS) : fail_with_wsa_error();
}

std::ptrdiff_t receive(NativeHandle socket, void* buffer, std::size_t size) noexcept {
  const int n = ::recv(native(socket), static_cast<char*>(buffer), clamp_length(size), 0);
  if (n >= 0) return n;
  const int error = ::WSAGetLastError();
  if (error == WSAESHUTDOWN) return 0;
  if (error == WSAEMSGSIZE) return clamp_length(size);
  return fail_with_wsa_error();
}

std::ptrdiff_t send(NativeHandle socket, const void* data, std::size_t size) noexcept {
  const int n = ::send(native(socket), static_cast<const char*>(data), clamp_length(size), 0);
  if (n >= 0) return n;
  return fail_with_wsa_error();
}

std::ptrdiff_t receive_from(NativeHandle socket, void* buffer, std::size_t size, sockaddr* from,
                            std::uint32_t* length) noexcept {
  const int n = ::recvfrom(native(socket), static_cast<char*>(buffer), clamp_length(size), 0, from,
                           as_int_length(length));
  if (n >= 0) return n;
  const int error = ::WSAGetLastError();
  if (error == WSAEMSGSIZE) return clamp_length(size);
  return fail_with_wsa_error();
}

std::ptrdiff_t send_to(NativeHandle socket, const void* data, std::size_t size, const sockaddr* to,
                       std::uint32_t length) noexcept {
  const int n = ::sendto(native(socket), static_cast<const char*>(data), clamp_length(size), 0, to,
                         length_of(length));
  if (n >= 0) return n;
  return fail_with_wsa_error();
}

int local_name(NativeHandle socket, sockaddr* address, std::uint32_t* length) noexcept {
  if (::getsockname(native(socket), address, as_int_length(length)) != 0) {
    return fail_with_wsa_error();
  }
  return 0;
}

int peer_name(NativeHandle socket, sockaddr* address, std::uint32_t* length) noexcept {
  if (::getpeername(native(socket), address, as_int_length(length)) != 0) {
    return fail_with_wsa_error();
  }
  return 0;
}

int shutdown_socket(NativeHandle socket, ShutdownHow how) noexcept {
  const int native_how = how == ShutdownHow::read    ? SD_RECEIVE
                         : how == ShutdownHow::write ? SD_SEND
                                                     : SD_BOTH;
  if (::shutdown(native(socket), native_how) != 0) return fail_with_wsa_error();
  return 0;
}

bool poller_sees_read_shutdown() noexcept {
  return false;
}

int set_flag(NativeHandle socket, SocketFlag flag, bool enabled) noexcept {
  if (flag == SocketFlag::reuse_address) return 0;  // Windows' default: see the file comment
  int level = 0;
  int name = 0;
  if (!option_of(flag, level, name)) return -1;
  const DWORD value = enabled ? 1 : 0;
  if (::setsockopt(native(socket), level, name, reinterpret_cast<const char*>(&value),
                   sizeof value) != 0) {
    return fail_with_wsa_error();
  }
  return 0;
}

int get_flag(NativeHandle socket, SocketFlag flag) noexcept {
  if (flag == SocketFlag::reuse_address) return 1;  // Windows' default: see the file comment
  int level = 0;
  int name = 0;
  if (!option_of(flag, level, name)) return -1;
  DWORD value = 0;
  int length = sizeof value;
  if (::getsockopt(native(socket), level, name, reinterpret_cast<char*>(&value), &length) != 0) {
    return fail_with_wsa_error();
  }
  return value != 0 ? 1 : 0;
}

int set_linger(NativeHandle socket, std::optional<std::chrono::seconds> linger) noexcept {
  ::linger value{};
  value.l_onoff = linger ? 1 : 0;
  value.l_linger =
      linger ? static_cast<u_short>(std::clamp<long long>(linger->count(), 0, 0xffff)) : 0;
  if (::setsockopt(native(socket), SOL_SOCKET, SO_LINGER, reinterpret_cast<const char*>(&value),
                   sizeof value) != 0) {
    return fail_with_wsa_error();
  }
  return 0;
}

int take_pending_error(NativeHandle socket, int* error) noexcept {
  int code = 0;
  int length = sizeof code;
  if (::getsockopt(native(socket), SOL_SOCKET, SO_ERROR, reinterpret_cast<char*>(&code), &length) !=
      0) {
    return fail_with_wsa_error();
  }
  *error = code == 0 ? 0 : errno_from_windows(static_cast<unsigned long>(code));
  return 0;
}

}  // namespace weft::io::sys
