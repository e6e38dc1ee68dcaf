#include "winsock_windows.hpp"

#include <winsock2.h>
// winsock2.h before the others.
#include <afunix.h>
#include <windows.h>
#include <ws2tcpip.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "socket_api.hpp"
#include "windows_errors.hpp"

namespace weft::io::sys {

namespace {

thread_local int tl_last_error = 0;

// A sockaddr big enough for either family connected_pair() makes.
union PairAddress {
  sockaddr generic;
  sockaddr_in ipv4;
  sockaddr_un unix_domain;
};

// A path for a listener nobody else can guess in time to connect first: the temporary
// directory, the process id, a counter and the tick count.
bool unique_unix_path(sockaddr_un& address) noexcept {
  static std::atomic<unsigned> counter{0};
  char directory[MAX_PATH + 1];
  const DWORD length = ::GetTempPathA(sizeof directory, directory);
  if (length == 0 || length > MAX_PATH) return false;
  address.sun_family = AF_UNIX;
  const int written =
      std::snprintf(address.sun_path, sizeof address.sun_path, "%sweft-%lu-%u-%llu.sock", directory,
                    static_cast<unsigned long>(::GetCurrentProcessId()), counter.fetch_add(1),
                    static_cast<unsigned long long>(::GetTickCount64()));
  return written > 0 && static_cast<std::size_t>(written) < sizeof address.sun_path;
}

// Closes a socket on every path out of connected_pair() that does not hand it on.
class SocketGuard {
 public:
  explicit SocketGuard(SOCKET socket) noexcept : socket_(socket) {}
  SocketGuard(const SocketGuard&) = delete;
  SocketGuard& operator=(const SocketGuard&) = delete;
  ~SocketGuard() {
    if (socket_ != INVALID_SOCKET) ::closesocket(socket_);
  }
  SOCKET get() const noexcept { return socket_; }
  SOCKET release() noexcept {
    const SOCKET socket = socket_;
    socket_ = INVALID_SOCKET;
    return socket;
  }
  explicit operator bool() const noexcept { return socket_ != INVALID_SOCKET; }

 private:
  SOCKET socket_;
};

SOCKET new_socket(int family) noexcept {
  return ::WSASocketW(family, SOCK_STREAM, 0, nullptr, 0,
                      WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
}

}  // namespace

int ensure_winsock() noexcept {
  static const int error = [] {
    WSADATA data;
    const int code = ::WSAStartup(MAKEWORD(2, 2), &data);
    return code == 0 ? 0 : errno_from_windows(static_cast<unsigned long>(code));
  }();
  return error;
}

int fail(int error) noexcept {
  tl_last_error = error;
  return -1;
}

int fail_with_wsa_error() noexcept {
  return fail(errno_from_windows(static_cast<unsigned long>(::WSAGetLastError())));
}

int last_error() noexcept {
  return tl_last_error;
}

const std::error_category& error_category() noexcept {
  return errno_category();
}

int set_nonblocking(NativeHandle socket) noexcept {
  u_long on = 1;
  if (::ioctlsocket(static_cast<SOCKET>(socket), FIONBIO, &on) != 0) return fail_with_wsa_error();
  return 0;
}

// listen, connect, accept: a blocking connect to a listener that is already listening
// completes as soon as the connection is queued, so one thread can make both ends.
int connected_pair(int family, NativeHandle (&pair)[2]) noexcept {
  if (const int error = ensure_winsock()) return fail(error);
  PairAddress address{};
  int length = 0;
  if (family == AF_UNIX) {
    if (!unique_unix_path(address.unix_domain)) return fail(ENAMETOOLONG);
    length = sizeof address.unix_domain;
  } else {
    address.ipv4.sin_family = AF_INET;
    address.ipv4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.ipv4.sin_port = 0;  // any free port
    length = sizeof address.ipv4;
  }
  const SocketGuard listener(new_socket(family));
  if (!listener) return fail_with_wsa_error();
  if (::bind(listener.get(), &address.generic, length) != 0 ||
      ::getsockname(listener.get(), &address.generic, &length) != 0 ||
      ::listen(listener.get(), 1) != 0) {
    const int result = fail_with_wsa_error();
    if (family == AF_UNIX) ::DeleteFileA(address.unix_domain.sun_path);
    return result;
  }
  SocketGuard client(new_socket(family));
  int result = 0;
  if (!client || ::connect(client.get(), &address.generic, length) != 0) {
    result = fail_with_wsa_error();
  }
  SocketGuard server(result == 0 ? ::accept(listener.get(), nullptr, nullptr) : INVALID_SOCKET);
  if (result == 0 && !server) result = fail_with_wsa_error();
  // The path was only the meeting point: gone once the pair is made (or was not).
  if (family == AF_UNIX) ::DeleteFileA(address.unix_domain.sun_path);
  if (result != 0) return result;
  // accept() copies the listener's handle attributes; the listener's were not inheritable.
  ::SetHandleInformation(reinterpret_cast<HANDLE>(server.get()), HANDLE_FLAG_INHERIT, 0);
  pair[0] = client.release();
  pair[1] = server.release();
  return 0;
}

}  // namespace weft::io::sys
