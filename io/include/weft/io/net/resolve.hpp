#pragma once
// resolve(host, port): the addresses a host name stands for, from getaddrinfo(3), without
// blocking a worker: the lookup runs on a small pool of threads owned by weft::io (at most
// ResolveFuture::kMaxThreads, each exiting after 10 s idle), and the result comes back to
// the task through a waker. An IP literal ("127.0.0.1", "::1", "[::1]") is answered at once
// without a thread.
//
//   std::vector<SocketAddress> addresses = co_await weft::net::resolve("localhost", 8080);
//
// Failure throws IoError("resolve <host>:<port>") whose code() is in resolve_category()
// (EAI_NONAME, EAI_AGAIN...) or, for EAI_SYSTEM, the errno. A name that resolves to nothing
// reachable still returns what getaddrinfo gave (in its order, without duplicates).
//
// Cancellation: destroying the future (abort, timeout) abandons the lookup. A lookup not
// yet started is skipped; one in progress finishes on its thread and its result is
// dropped there. The future and the pool share the lookup's state by reference count, so
// neither side can outlive it.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <weft/io/net/socket_address.hpp>
#include <weft/scheduler/context.hpp>
#include <weft/scheduler/poll.hpp>

namespace weft::net {

namespace detail {
struct ResolveJob;  // io/src/net/resolver_pool.hpp
}

class ResolveFuture {
 public:
  static constexpr std::size_t kMaxThreads = 4;

  ResolveFuture(std::string host, std::uint16_t port) noexcept;
  ResolveFuture(ResolveFuture&&) noexcept;
  ResolveFuture& operator=(ResolveFuture&&) noexcept;
  ~ResolveFuture();

  Poll<std::vector<SocketAddress>> poll(Context& cx);

 private:
  std::string host_;
  std::uint16_t port_;
  std::shared_ptr<detail::ResolveJob> job_;
};

inline ResolveFuture resolve(std::string host, std::uint16_t port) {
  return ResolveFuture(std::move(host), port);
}

}  // namespace weft::net
