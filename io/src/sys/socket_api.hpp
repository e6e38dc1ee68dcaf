#pragma once
// The socket calls weft makes, behind one interface with one implementation per platform:
//
//   socket_api_posix.cpp    Linux, the BSDs and macOS (BSD sockets)
//   socket_api_windows.cpp  Windows (Winsock 2, started once on first use)
//
// Rules every implementation keeps, so that the code above it has no platform cases:
// - Failure is -1 (or invalid_handle) with the reason in last_error(), an errno value from
//   <cerrno> on every platform (Winsock's WSAE* codes are mapped: WSAEWOULDBLOCK is EAGAIN,
//   WSAECONNRESET is ECONNRESET, ...). error_category() is the std::error_category those
//   values belong to, with the same messages everywhere.
// - Sockets are created and accepted non-blocking, not inherited by child processes, and
//   never raise SIGPIPE (MSG_NOSIGNAL on Linux, SO_NOSIGPIPE on the BSDs and macOS).
// - A non-blocking connect that is under way fails with EINPROGRESS.
// - Addresses are passed as the system's sockaddr with their length in bytes.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <system_error>

#include <weft/io/native_handle.hpp>

struct sockaddr;

namespace weft::io::sys {

// The errno-valued error of the calling thread's last failed call below.
int last_error() noexcept;
// The category last_error() values belong to (std::system_category on POSIX).
const std::error_category& error_category() noexcept;

NativeHandle open_socket(int family, int type) noexcept;
// Closes any handle weft owns (FileDescriptor): a descriptor on POSIX, a socket on Windows.
int close_handle(NativeHandle handle) noexcept;
// A connected pair of AF_UNIX stream sockets. Fails with EAFNOSUPPORT where the system has
// no AF_UNIX.
int socket_pair(NativeHandle (&pair)[2]) noexcept;

int bind_socket(NativeHandle socket, const sockaddr* address, std::uint32_t length) noexcept;
int listen_socket(NativeHandle socket, int backlog) noexcept;
// `address`/`length` may be null; on success `*length` is the peer address's size.
NativeHandle accept_socket(NativeHandle listener, sockaddr* address,
                           std::uint32_t* length) noexcept;
int connect_socket(NativeHandle socket, const sockaddr* address, std::uint32_t length) noexcept;

// Byte counts, or -1.
std::ptrdiff_t receive(NativeHandle socket, void* buffer, std::size_t size) noexcept;
std::ptrdiff_t send(NativeHandle socket, const void* data, std::size_t size) noexcept;
std::ptrdiff_t receive_from(NativeHandle socket, void* buffer, std::size_t size, sockaddr* from,
                            std::uint32_t* length) noexcept;
std::ptrdiff_t send_to(NativeHandle socket, const void* data, std::size_t size, const sockaddr* to,
                       std::uint32_t length) noexcept;

int local_name(NativeHandle socket, sockaddr* address, std::uint32_t* length) noexcept;
int peer_name(NativeHandle socket, sockaddr* address, std::uint32_t* length) noexcept;

enum class ShutdownHow : std::uint8_t { read, write, both };
int shutdown_socket(NativeHandle socket, ShutdownHow how) noexcept;
// Whether the poller reports a local shutdown of reading to a reader waiting on the socket:
// true where it does (epoll's EPOLLRDHUP, kqueue's EV_EOF); false on Windows, where AFD
// reports only the peer's FIN, so the caller reports it to the reactor itself.
bool poller_sees_read_shutdown() noexcept;

// Boolean socket options, named by what they do rather than by level and number.
enum class SocketFlag : std::uint8_t {
  reuse_address,  // SO_REUSEADDR (SO_EXCLUSIVEADDRUSE semantics are Windows' default bind)
  reuse_port,     // SO_REUSEPORT; ENOPROTOOPT where the system has none (Windows)
  no_delay,       // TCP_NODELAY
  broadcast,      // SO_BROADCAST
};
int set_flag(NativeHandle socket, SocketFlag flag, bool enabled) noexcept;
// 1 or 0, or -1 on failure.
int get_flag(NativeHandle socket, SocketFlag flag) noexcept;
// SO_LINGER: nullopt turns lingering off.
int set_linger(NativeHandle socket, std::optional<std::chrono::seconds> linger) noexcept;
// SO_ERROR: the pending error of the socket (0 for none) as an errno value, or -1.
int take_pending_error(NativeHandle socket, int* error) noexcept;

}  // namespace weft::io::sys
