#include <weft/io/net/socket_address.hpp>

#include <charconv>
#include <cstddef>
#include <cstring>
#include <stdexcept>

#include "../sys/native_socket.hpp"

#include "text.hpp"

namespace weft::net {

namespace {

static_assert(sizeof(sockaddr_storage) <= sizeof(SocketAddress::Storage) &&
              alignof(sockaddr_storage) <= alignof(SocketAddress::Storage));

std::optional<std::uint16_t> parse_port(std::string_view text) noexcept {
  unsigned value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

// IPv6 text without brackets, optionally with "%scope" (a number or an interface name).
bool parse_ipv6(std::string_view text, in6_addr& address, std::uint32_t& scope) noexcept {
  const std::size_t percent = text.find('%');
  const std::string_view ip = text.substr(0, percent);
  char buffer[INET6_ADDRSTRLEN];
  if (ip.size() >= sizeof buffer) return false;
  std::memcpy(buffer, ip.data(), ip.size());
  buffer[ip.size()] = '\0';
  if (::inet_pton(AF_INET6, buffer, &address) != 1) return false;
  scope = 0;
  if (percent == std::string_view::npos) return true;
  const std::string_view zone = text.substr(percent + 1);
  if (zone.empty() || zone.size() >= IF_NAMESIZE) return false;
  const char* end = zone.data() + zone.size();
  if (const auto [ptr, ec] = std::from_chars(zone.data(), end, scope);
      ec == std::errc() && ptr == end) {
    return true;
  }
  char name[IF_NAMESIZE];
  std::memcpy(name, zone.data(), zone.size());
  name[zone.size()] = '\0';
  scope = ::if_nametoindex(name);
  return scope != 0;
}

bool parse_ipv4(std::string_view text, in_addr& address) noexcept {
  char buffer[INET_ADDRSTRLEN];
  if (text.size() >= sizeof buffer) return false;
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  return ::inet_pton(AF_INET, buffer, &address) == 1;
}

}  // namespace

SocketAddress::SocketAddress() noexcept : storage_{}, length_(0) {
  reinterpret_cast<sockaddr_storage*>(&storage_)->ss_family = AF_UNSPEC;
}

std::optional<SocketAddress> SocketAddress::from_ip(std::string_view host,
                                                    std::uint16_t port) noexcept {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
    if (host.find(':') == std::string_view::npos) return std::nullopt;
  }
  SocketAddress result;
  if (in_addr v4{}; parse_ipv4(host, v4)) {
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port);
    sin.sin_addr = v4;
    std::memcpy(&result.storage_, &sin, sizeof sin);
    result.length_ = sizeof sin;
    return result;
  }
  in6_addr v6{};
  std::uint32_t scope = 0;
  if (parse_ipv6(host, v6, scope)) {
    sockaddr_in6 sin6{};
    sin6.sin6_family = AF_INET6;
    sin6.sin6_port = htons(port);
    sin6.sin6_addr = v6;
    sin6.sin6_scope_id = scope;
    std::memcpy(&result.storage_, &sin6, sizeof sin6);
    result.length_ = sizeof sin6;
    return result;
  }
  return std::nullopt;
}

std::optional<SocketAddress> SocketAddress::try_parse(std::string_view text) noexcept {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const std::string_view host = text.substr(0, colon);
  const auto port = parse_port(text.substr(colon + 1));
  if (!port) return std::nullopt;
  // An IPv6 host must be bracketed here ("[::1]:80"), an IPv4 one must not.
  const bool bracketed = !host.empty() && host.front() == '[';
  auto address = from_ip(host, *port);
  if (!address || address->is_ipv6() != bracketed) return std::nullopt;
  return address;
}

SocketAddress SocketAddress::parse(std::string_view text) {
  if (auto address = try_parse(text)) return *address;
  throw std::invalid_argument(detail::concat(
      {"weft: not a socket address (want \"1.2.3.4:80\" or \"[::1]:80\"): '", text, "'"}));
}

SocketAddress SocketAddress::ipv4(std::array<std::uint8_t, 4> octets, std::uint16_t port) noexcept {
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_port = htons(port);
  std::memcpy(&sin.sin_addr, octets.data(), octets.size());
  return from_native(reinterpret_cast<const sockaddr*>(&sin), sizeof sin);
}

SocketAddress SocketAddress::ipv6(const std::array<std::uint8_t, 16>& octets, std::uint16_t port,
                                  std::uint32_t scope_id) noexcept {
  sockaddr_in6 sin6{};
  sin6.sin6_family = AF_INET6;
  sin6.sin6_port = htons(port);
  sin6.sin6_scope_id = scope_id;
  std::memcpy(&sin6.sin6_addr, octets.data(), octets.size());
  return from_native(reinterpret_cast<const sockaddr*>(&sin6), sizeof sin6);
}

SocketAddress SocketAddress::ipv4_loopback(std::uint16_t port) noexcept {
  return ipv4({127, 0, 0, 1}, port);
}
SocketAddress SocketAddress::ipv6_loopback(std::uint16_t port) noexcept {
  std::array<std::uint8_t, 16> octets{};
  octets[15] = 1;
  return ipv6(octets, port);
}
SocketAddress SocketAddress::ipv4_any(std::uint16_t port) noexcept {
  return ipv4({0, 0, 0, 0}, port);
}
SocketAddress SocketAddress::ipv6_any(std::uint16_t port) noexcept {
  return ipv6({}, port);
}

SocketAddress SocketAddress::unix_path(std::string_view path) {
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof sun.sun_path) {
    throw std::invalid_argument(
        detail::concat({"weft: Unix socket path must have 1 to ",
                        std::to_string(sizeof sun.sun_path - 1), " bytes: '", path, "'"}));
  }
  std::memcpy(sun.sun_path, path.data(), path.size());
  std::size_t length = offsetof(sockaddr_un, sun_path) + path.size() + 1;
  if (path.front() == '@') {
    sun.sun_path[0] = '\0';  // abstract: no terminator, the length says where it ends
    --length;
  }
  return from_native(reinterpret_cast<const sockaddr*>(&sun), length);
}

SocketAddress SocketAddress::from_native(const sockaddr* address, std::size_t length) {
  if (length > sizeof(Storage)) {
    throw std::invalid_argument("weft: socket address longer than sockaddr_storage");
  }
  SocketAddress result;
  std::memcpy(&result.storage_, address, length);
  result.length_ = static_cast<std::uint32_t>(length);
  return result;
}

int SocketAddress::native_family() const noexcept {
  return reinterpret_cast<const sockaddr_storage*>(&storage_)->ss_family;
}

AddressFamily SocketAddress::family() const noexcept {
  switch (native_family()) {
    case AF_INET:
      return AddressFamily::ipv4;
    case AF_INET6:
      return AddressFamily::ipv6;
    case AF_UNIX:
      return AddressFamily::unix_domain;
    default:
      return AddressFamily::unspecified;
  }
}

std::uint16_t SocketAddress::port() const noexcept {
  if (is_ipv4()) return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
  if (is_ipv6()) return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
  return 0;
}

SocketAddress SocketAddress::with_port(std::uint16_t port) const noexcept {
  SocketAddress copy = *this;
  if (is_ipv4()) reinterpret_cast<sockaddr_in*>(&copy.storage_)->sin_port = htons(port);
  if (is_ipv6()) reinterpret_cast<sockaddr_in6*>(&copy.storage_)->sin6_port = htons(port);
  return copy;
}

std::string SocketAddress::ip_string() const {
  char buffer[INET6_ADDRSTRLEN] = {};
  if (is_ipv4()) {
    ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage_)->sin_addr, buffer,
                sizeof buffer);
  } else if (is_ipv6()) {
    const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&storage_);
    ::inet_ntop(AF_INET6, &sin6->sin6_addr, buffer, sizeof buffer);
    if (sin6->sin6_scope_id != 0)
      return detail::concat({buffer, "%", std::to_string(sin6->sin6_scope_id)});
  }
  return buffer;
}

std::string SocketAddress::path() const {
  if (!is_unix()) return {};
  const auto* sun = reinterpret_cast<const sockaddr_un*>(&storage_);
  const std::size_t base = offsetof(sockaddr_un, sun_path);
  if (length_ <= base) return {};  // unnamed
  std::size_t size = length_ - base;
  if (sun->sun_path[0] == '\0')
    return detail::concat({"@", std::string_view(sun->sun_path + 1, size - 1)});
  // Pathnames: the kernel may or may not count the terminator.
  return std::string(sun->sun_path, ::strnlen(sun->sun_path, size));
}

std::string SocketAddress::to_string() const {
  switch (family()) {
    case AddressFamily::ipv4:
      return detail::concat({ip_string(), ":", std::to_string(port())});
    case AddressFamily::ipv6:
      return detail::concat({"[", ip_string(), "]:", std::to_string(port())});
    case AddressFamily::unix_domain: {
      std::string p = path();
      return p.empty() ? "(unnamed)" : p;
    }
    case AddressFamily::unspecified:
      break;
  }
  return "(unspecified)";
}

bool operator==(const SocketAddress& a, const SocketAddress& b) noexcept {
  return a.length_ == b.length_ && std::memcmp(&a.storage_, &b.storage_, a.length_) == 0;
}

}  // namespace weft::net
