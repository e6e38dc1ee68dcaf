#pragma once
// ListenerSocket: what TcpListener and UnixListener share: a listening descriptor and
// accept(), whose future yields the new stream and the peer's address.
//
// accept() survives running out of descriptors or memory. On EMFILE, ENFILE, ENOBUFS or
// ENOMEM (and when the reactor cannot register the new descriptor) the pending connection
// stays in the backlog and the future sleeps on a reactor timer, 10 ms at first and doubling
// up to 1 s while the condition lasts, then tries again; the first success resets the
// delay. The listener neither spins nor reports the error, and serves again once
// descriptors free up; accept_backoffs() counts the sleeps. ECONNABORTED and the network
// errors accept(2) passes through from the pending connection are retried at once. Other
// errors throw IoError("accept").
//
// One accept() may be pending at a time. close() from another task wakes a pending accept,
// which throws IoError(EBADF, "accept on a closed socket"): the way to stop an accept loop.
// (An accept() sleeping in an EMFILE backoff notices the close when its sleep ends.)

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>

#include <weft/io/native_handle.hpp>
#include <weft/io/net/socket_address.hpp>
#include <weft/io/net/socket_handle.hpp>
#include <weft/io/reactor.hpp>
#include <weft/io/sleep.hpp>
#include <weft/scheduler/context.hpp>
#include <weft/scheduler/poll.hpp>

namespace weft::net {

struct ListenOptions {
  int backlog = 1024;         // listen(2) backlog (the kernel caps it at somaxconn)
  bool reuse_address = true;  // SO_REUSEADDR (IP only)
  bool reuse_port = false;    // SO_REUSEPORT (IP only)
};

namespace detail {

struct ListenerState;  // io/src/net/listener_socket.cpp
struct ListenerStateDeleter {
  void operator()(ListenerState* state) const noexcept;
};

struct Accepted {
  SocketPtr socket;
  SocketAddress peer;
};

// accept() without the stream type.
class AcceptCore {
 public:
  explicit AcceptCore(ListenerState* state) noexcept : state_(state) {}
  Poll<Accepted> poll(Context& cx);

 private:
  void start_backoff();

  ListenerState* state_;
  std::optional<io::Sleep> backoff_;
};

}  // namespace detail

// Ready with the accepted stream (non-blocking, close-on-exec, registered with the
// listener's reactor) and the peer's address.
template <class Stream>
class AcceptFuture {
 public:
  explicit AcceptFuture(detail::ListenerState* state) noexcept : core_(state) {}

  Poll<std::pair<Stream, SocketAddress>> poll(Context& cx) {
    Poll<detail::Accepted> accepted = core_.poll(cx);
    if (accepted.is_pending()) return pending;
    return std::pair<Stream, SocketAddress>(Stream(std::move(accepted.value().socket)),
                                            accepted.value().peer);
  }

 private:
  detail::AcceptCore core_;
};

class ListenerSocket {
 public:
  ListenerSocket(ListenerSocket&&) noexcept = default;
  ListenerSocket& operator=(ListenerSocket&&) noexcept = default;

  SocketAddress local_address() const;
  // Stops listening: new connections are refused, a pending accept() is woken with an
  // error. Idempotent.
  void close() noexcept;
  bool is_open() const noexcept;
  // How many times accept() has backed off for lack of descriptors or memory.
  std::uint64_t accept_backoffs() const noexcept;
  io::NativeHandle native_handle() const noexcept;

 protected:
  ListenerSocket() noexcept = default;
  // socket + options + bind + listen, registered with `reactor`. Throws IoError naming the
  // step and the address ("bind 127.0.0.1:80").
  ListenerSocket(io::Reactor& reactor, const SocketAddress& address, int type,
                 const ListenOptions& options);
  ~ListenerSocket() = default;

  detail::ListenerState* state() const noexcept { return state_.get(); }

 private:
  std::unique_ptr<detail::ListenerState, detail::ListenerStateDeleter> state_;
};

}  // namespace weft::net
