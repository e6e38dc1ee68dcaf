#pragma once
// The threads that run getaddrinfo(3) for resolve(). A process-wide pool that grows on
// demand up to ResolveFuture::kMaxThreads and shrinks when idle. It is never destroyed (its
// threads are detached and may be inside getaddrinfo when the process exits), so it is
// allocated once and deliberately not freed.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include <weft/io/net/socket_address.hpp>
#include <weft/scheduler/atomic_waker.hpp>

namespace weft::net::detail {

struct ResolveJob {
  std::string host;
  std::uint16_t port = 0;
  // Written by the pool thread before `done` is released; read by the future after it
  // acquired `done`.
  std::vector<SocketAddress> addresses;
  std::error_code error;
  std::atomic<bool> done{false};
  std::atomic<bool> abandoned{false};  // the future is gone: skip or drop
  AtomicWaker waker;
};

// Queues `job`; a pool thread runs it, then sets done and wakes.
void submit_resolve(std::shared_ptr<ResolveJob> job);

// getaddrinfo for (host, port), SOCK_STREAM hint; the addresses in order, no duplicates.
std::vector<SocketAddress> lookup(const std::string& host, std::uint16_t port,
                                  std::error_code& error);

}  // namespace weft::net::detail
