#pragma once
// The networking error model (docs/networking.md). Every failing socket operation throws
// an IoError: a std::system_error whose code() is the errno the kernel reported (system
// category), or one of the two weft categories below, and whose operation() names what
// failed ("connect 127.0.0.1:80", "read", "accept", "resolve example.com:443").
//
//   what() == "weft: <operation>: <message of code()>"
//   e.g.      "weft: connect 127.0.0.1:1: Connection refused"
//
// End of file on read() is not an error (read returns 0). Only read_exact(), which
// promised a full buffer, throws UnexpectedEof. Invalid arguments that no syscall was
// asked about (a malformed address string, a Unix path too long) throw
// std::invalid_argument instead.

#include <string>
#include <system_error>

namespace weft::net {

// Conditions that have no errno of their own.
enum class NetError {
  unexpected_eof = 1,  // the peer closed before read_exact() filled its buffer
};

// The category of NetError ("weft.net").
const std::error_category& net_category() noexcept;
// The category of getaddrinfo() failures ("resolve"): values are the EAI_* codes and the
// messages gai_strerror()'s. EAI_SYSTEM is reported as the errno in the system category.
const std::error_category& resolve_category() noexcept;

std::error_code make_error_code(NetError error) noexcept;

class IoError : public std::system_error {
 public:
  // From an errno value.
  IoError(int error, std::string operation);
  IoError(std::error_code code, std::string operation);

  // What failed, e.g. "connect [::1]:8080" or "write".
  const std::string& operation() const noexcept { return operation_; }
  // The errno when code() is in the system category, else 0.
  int error_number() const noexcept;

 private:
  std::string operation_;
};

// read_exact() reached end of file after `received` of the `expected` bytes. code() is
// NetError::unexpected_eof, operation() "read_exact (3 of 64 bytes received)", so what() is
// "weft: read_exact (3 of 64 bytes received): unexpected end of file".
class UnexpectedEof : public IoError {
 public:
  UnexpectedEof(std::size_t received, std::size_t expected);

  std::size_t received() const noexcept { return received_; }
  std::size_t expected() const noexcept { return expected_; }

 private:
  std::size_t received_;
  std::size_t expected_;
};

}  // namespace weft::net

template <>
struct std::is_error_code_enum<weft::net::NetError> : std::true_type {};
