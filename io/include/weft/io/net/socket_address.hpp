#pragma once
// SocketAddress: an IPv4, IPv6 or Unix-domain socket address, held by value (in room the
// size of a sockaddr_storage, so any address the kernel hands back fits).
//
//   auto a = SocketAddress::parse("127.0.0.1:8080");
//   auto b = SocketAddress::parse("[::1]:8080");
//   auto c = SocketAddress::unix_path("/run/app.sock");
//   a.to_string() == "127.0.0.1:8080"; b.port() == 8080;
//
// Malformed input throws std::invalid_argument (try_parse() returns nullopt instead).

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// The system's address type, declared here so that no system header enters this one.
struct sockaddr;

namespace weft::net {

enum class AddressFamily : std::uint8_t { unspecified, ipv4, ipv6, unix_domain };

class SocketAddress {
 public:
  // The unspecified address (family() == unspecified); useful only as a placeholder.
  SocketAddress() noexcept;

  // "a.b.c.d:port" or "[ipv6]:port" (the IPv6 part may carry a "%scope", numeric or an
  // interface name). Ports are 0..65535.
  static SocketAddress parse(std::string_view text);
  static std::optional<SocketAddress> try_parse(std::string_view text) noexcept;
  // A host that is an IP literal ("127.0.0.1", "::1", "[::1]") and a port; nullopt when
  // `host` is not numeric (a name to resolve).
  static std::optional<SocketAddress> from_ip(std::string_view host, std::uint16_t port) noexcept;

  static SocketAddress ipv4(std::array<std::uint8_t, 4> octets, std::uint16_t port) noexcept;
  static SocketAddress ipv6(const std::array<std::uint8_t, 16>& octets, std::uint16_t port,
                            std::uint32_t scope_id = 0) noexcept;
  static SocketAddress ipv4_loopback(std::uint16_t port) noexcept;  // 127.0.0.1
  static SocketAddress ipv6_loopback(std::uint16_t port) noexcept;  // ::1
  static SocketAddress ipv4_any(std::uint16_t port) noexcept;       // 0.0.0.0
  static SocketAddress ipv6_any(std::uint16_t port) noexcept;       // ::
  // A Unix-domain path. A leading '@' names Linux's abstract namespace ("@name"). Throws
  // std::invalid_argument if it does not fit sockaddr_un (107 bytes).
  static SocketAddress unix_path(std::string_view path);

  // Room for any socket address: the size and alignment of the system's sockaddr_storage.
  struct alignas(8) Storage {
    unsigned char bytes[128];
  };

  // Copies what the kernel returned (accept, getsockname, recvfrom, getaddrinfo). Throws
  // std::invalid_argument when `length` exceeds sizeof(Storage).
  static SocketAddress from_native(const sockaddr* address, std::size_t length);

  AddressFamily family() const noexcept;
  bool is_ipv4() const noexcept { return family() == AddressFamily::ipv4; }
  bool is_ipv6() const noexcept { return family() == AddressFamily::ipv6; }
  bool is_unix() const noexcept { return family() == AddressFamily::unix_domain; }

  // IP port (0 for Unix addresses).
  std::uint16_t port() const noexcept;
  // A copy with another port (IP only; a Unix address is returned unchanged).
  SocketAddress with_port(std::uint16_t port) const noexcept;
  // The host part: "127.0.0.1", "::1" (no brackets), "" for Unix addresses.
  std::string ip_string() const;
  // The Unix path ("@name" for abstract ones, "" for unnamed sockets and IP addresses).
  std::string path() const;

  // "127.0.0.1:8080", "[::1]:8080", "[fe80::1%2]:80", "/run/app.sock", "@abstract",
  // "(unnamed)" for an unnamed Unix socket, "(unspecified)".
  std::string to_string() const;

  // For syscalls.
  const sockaddr* native() const noexcept { return reinterpret_cast<const sockaddr*>(&storage_); }
  std::uint32_t native_length() const noexcept { return length_; }
  int native_family() const noexcept;  // AF_INET, AF_INET6, AF_UNIX or AF_UNSPEC

  friend bool operator==(const SocketAddress& a, const SocketAddress& b) noexcept;

 private:
  Storage storage_;
  std::uint32_t length_;
};

}  // namespace weft::net
