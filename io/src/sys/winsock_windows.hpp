#pragma once
// What the Windows files of io/src/sys share beyond sys/socket_api.hpp: starting Winsock, the
// thread's last error as an errno value, and a connected loopback pair. Windows only
// (winsock_windows.cpp).

#include <weft/io/native_handle.hpp>

namespace weft::io::sys {

// Starts Winsock 2.2 once per process (never stopped: sockets may outlive any owner that
// could call WSACleanup). Returns 0, or the errno value of WSAStartup's failure. Every entry
// point that makes a socket calls it; so does IocpPoller, so that name resolution, which
// needs Winsock too, finds it started in any process with a reactor.
int ensure_winsock() noexcept;

// Records `error` (an errno value) as the calling thread's last_error(); returns -1.
int fail(int error) noexcept;
// Records WSAGetLastError(), mapped to errno; returns -1.
int fail_with_wsa_error() noexcept;

// A connected pair of blocking sockets of `family` (AF_UNIX or AF_INET) made through a
// listener that is closed (and, for AF_UNIX, unlinked) before returning. Both ends are
// non-inheritable. Returns 0 or -1 (last_error()).
int connected_pair(int family, NativeHandle (&pair)[2]) noexcept;

// Non-blocking mode on (ioctlsocket FIONBIO). Returns 0 or -1 (last_error()).
int set_nonblocking(NativeHandle socket) noexcept;

}  // namespace weft::io::sys
