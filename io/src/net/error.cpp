#include <weft/io/net/error.hpp>

#include "../sys/native_socket.hpp"
#include "../sys/socket_api.hpp"
#include "text.hpp"

namespace weft::net {

namespace {

class NetCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "weft.net"; }
  std::string message(int value) const override {
    switch (static_cast<NetError>(value)) {
      case NetError::unexpected_eof:
        return "unexpected end of file";
    }
    return detail::concat({"unknown weft.net error ", std::to_string(value)});
  }
};

class ResolveCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "resolve"; }
  std::string message(int value) const override { return ::gai_strerror(value); }
};

}  // namespace

const std::error_category& net_category() noexcept {
  static const NetCategory category;
  return category;
}

const std::error_category& resolve_category() noexcept {
  static const ResolveCategory category;
  return category;
}

std::error_code make_error_code(NetError error) noexcept {
  return {static_cast<int>(error), net_category()};
}

IoError::IoError(int error, std::string operation)
    : IoError(std::error_code(error, io::sys::error_category()), std::move(operation)) {}

IoError::IoError(std::error_code code, std::string operation)
    : std::system_error(code, detail::concat({"weft: ", operation})),
      operation_(std::move(operation)) {}

int IoError::error_number() const noexcept {
  return code().category() == io::sys::error_category() ? code().value() : 0;
}

UnexpectedEof::UnexpectedEof(std::size_t received, std::size_t expected)
    : IoError(NetError::unexpected_eof,
              detail::concat({"read_exact (", std::to_string(received), " of ",
                              std::to_string(expected), " bytes received)"})),
      received_(received),
      expected_(expected) {}

}  // namespace weft::net
