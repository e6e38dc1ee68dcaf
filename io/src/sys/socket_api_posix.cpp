// BSD sockets on Linux, the BSDs and macOS (sys/socket_api.hpp).
//
// Linux creates sockets non-blocking and close-on-exec in one call (SOCK_NONBLOCK,
// SOCK_CLOEXEC, accept4) and suppresses SIGPIPE per send (MSG_NOSIGNAL). Systems without those
// flags (macOS) get the same result from fcntl after the call and SO_NOSIGPIPE on the socket;
// which path applies is decided by whether the flags exist, not by naming systems.
#include "socket_api.hpp"

#include <cerrno>

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace weft::io::sys {

namespace {

#if defined(SOCK_NONBLOCK) && defined(SOCK_CLOEXEC)
constexpr int kCreateFlags = SOCK_NONBLOCK | SOCK_CLOEXEC;
#else
constexpr int kCreateFlags = 0;
#endif

#if defined(MSG_NOSIGNAL)
constexpr int kSendFlags = MSG_NOSIGNAL;
#else
constexpr int kSendFlags = 0;
#endif

// What a system without the creation flags does after socket()/accept(): non-blocking,
// close-on-exec and, where SIGPIPE is a per-socket option, no SIGPIPE. Closes the socket and
// returns -1 if any step fails.
int finish_new_socket(int fd) noexcept {
  if (fd < 0 || kCreateFlags != 0) return fd;
  const int flags = ::fcntl(fd, F_GETFL);
  bool ok = flags >= 0 && ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 &&
            ::fcntl(fd, F_SETFD, FD_CLOEXEC) == 0;
#if defined(SO_NOSIGPIPE)
  const int on = 1;
  ok = ok && ::setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &on, sizeof on) == 0;
#endif
  if (ok) return fd;
  const int error = errno;
  ::close(fd);
  errno = error;
  return -1;
}

// The level and number of a flag; false (errno ENOPROTOOPT) where the system lacks it.
bool option_of(SocketFlag flag, int& level, int& name) noexcept {
  switch (flag) {
    case SocketFlag::reuse_address:
      level = SOL_SOCKET, name = SO_REUSEADDR;
      return true;
    case SocketFlag::reuse_port:
#if defined(SO_REUSEPORT)
      level = SOL_SOCKET, name = SO_REUSEPORT;
      return true;
#else
      break;
#endif
    case SocketFlag::no_delay:
      level = IPPROTO_TCP, name = TCP_NODELAY;
      return true;
    case SocketFlag::broadcast:
      level = SOL_SOCKET, name = SO_BROADCAST;
      return true;
  }
  errno = ENOPROTOOPT;
  return false;
}

socklen_t* as_socklen(std::uint32_t* length) noexcept {
  static_assert(sizeof(socklen_t) == sizeof(std::uint32_t));
  return reinterpret_cast<socklen_t*>(length);
}

}  // namespace

int last_error() noexcept {
  return errno;
}

const std::error_category& error_category() noexcept {
  return std::system_category();
}

NativeHandle open_socket(int family, int type) noexcept {
  return finish_new_socket(::socket(family, type | kCreateFlags, 0));
}

int close_handle(NativeHandle handle) noexcept {
  // No retry on EINTR: on Linux the descriptor is released even when close() reports EINTR,
  // and retrying could close a descriptor another thread has just been given.
  return ::close(handle);
}

int socket_pair(NativeHandle (&pair)[2]) noexcept {
  if (::socketpair(AF_UNIX, SOCK_STREAM | kCreateFlags, 0, pair) != 0) return -1;
  if (finish_new_socket(pair[0]) < 0) {
    ::close(pair[1]);
    return -1;
  }
  if (finish_new_socket(pair[1]) < 0) {
    ::close(pair[0]);
    return -1;
  }
  return 0;
}

int bind_socket(NativeHandle socket, const sockaddr* address, std::uint32_t length) noexcept {
  return ::bind(socket, address, length);
}

int listen_socket(NativeHandle socket, int backlog) noexcept {
  return ::listen(socket, backlog);
}

NativeHandle accept_socket(NativeHandle listener, sockaddr* address,
                           std::uint32_t* length) noexcept {
#if defined(SOCK_NONBLOCK) && defined(SOCK_CLOEXEC)
  return ::accept4(listener, address, as_socklen(length), kCreateFlags);
#else
  return finish_new_socket(::accept(listener, address, as_socklen(length)));
#endif
}

int connect_socket(NativeHandle socket, const sockaddr* address, std::uint32_t length) noexcept {
  return ::connect(socket, address, length);
}

std::ptrdiff_t receive(NativeHandle socket, void* buffer, std::size_t size) noexcept {
  return ::recv(socket, buffer, size, 0);
}

std::ptrdiff_t send(NativeHandle socket, const void* data, std::size_t size) noexcept {
  return ::send(socket, data, size, kSendFlags);
}

std::ptrdiff_t receive_from(NativeHandle socket, void* buffer, std::size_t size, sockaddr* from,
                            std::uint32_t* length) noexcept {
  return ::recvfrom(socket, buffer, size, 0, from, as_socklen(length));
}

std::ptrdiff_t send_to(NativeHandle socket, const void* data, std::size_t size, const sockaddr* to,
                       std::uint32_t length) noexcept {
  return ::sendto(socket, data, size, kSendFlags, to, length);
}

int local_name(NativeHandle socket, sockaddr* address, std::uint32_t* length) noexcept {
  return ::getsockname(socket, address, as_socklen(length));
}

int peer_name(NativeHandle socket, sockaddr* address, std::uint32_t* length) noexcept {
  return ::getpeername(socket, address, as_socklen(length));
}

int shutdown_socket(NativeHandle socket, ShutdownHow how) noexcept {
  const int native = how == ShutdownHow::read    ? SHUT_RD
                     : how == ShutdownHow::write ? SHUT_WR
                                                 : SHUT_RDWR;
  return ::shutdown(socket, native);
}

bool poller_sees_read_shutdown() noexcept {
  return true;
}

int set_flag(NativeHandle socket, SocketFlag flag, bool enabled) noexcept {
  int level = 0;
  int name = 0;
  if (!option_of(flag, level, name)) return -1;
  const int value = enabled ? 1 : 0;
  return ::setsockopt(socket, level, name, &value, sizeof value);
}

int get_flag(NativeHandle socket, SocketFlag flag) noexcept {
  int level = 0;
  int name = 0;
  if (!option_of(flag, level, name)) return -1;
  int value = 0;
  socklen_t length = sizeof value;
  if (::getsockopt(socket, level, name, &value, &length) != 0) return -1;
  return value != 0 ? 1 : 0;
}

int set_linger(NativeHandle socket, std::optional<std::chrono::seconds> linger) noexcept {
  ::linger value{};
  value.l_onoff = linger ? 1 : 0;
  value.l_linger = linger ? static_cast<int>(linger->count()) : 0;
  return ::setsockopt(socket, SOL_SOCKET, SO_LINGER, &value, sizeof value);
}

int take_pending_error(NativeHandle socket, int* error) noexcept {
  socklen_t length = sizeof *error;
  return ::getsockopt(socket, SOL_SOCKET, SO_ERROR, error, &length);
}

}  // namespace weft::io::sys
