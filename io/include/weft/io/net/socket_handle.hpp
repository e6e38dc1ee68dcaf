#pragma once
// The owning handle every weft socket type is built on. The object it points to (private:
// io/src/net/socket_core.hpp) holds the descriptor, its reactor registration and the
// open/closed state, at a stable address: a socket may be moved while operations on it are
// pending, because their futures point at the core, not at the socket object.

#include <memory>

namespace weft::net::detail {

class SocketCore;

struct SocketCoreDeleter {
  void operator()(SocketCore* core) const noexcept;
};

using SocketPtr = std::unique_ptr<SocketCore, SocketCoreDeleter>;

}  // namespace weft::net::detail
