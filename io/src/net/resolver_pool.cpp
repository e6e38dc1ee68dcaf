#include "resolver_pool.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include <weft/io/net/error.hpp>
#include <weft/io/net/resolve.hpp>

#include "platform/signals.hpp"
#include "platform/thread.hpp"

#include "../sys/native_socket.hpp"

namespace weft::net::detail {

namespace {

constexpr std::chrono::seconds kKeepAlive{10};

class ResolverPool {
 public:
  void submit(std::shared_ptr<ResolveJob> job) {
    std::unique_lock lock(mutex_);
    queue_.push_back(std::move(job));
    if (idle_ == 0 && threads_ < ResolveFuture::kMaxThreads) {
      ++threads_;
      lock.unlock();
      start_thread();
      return;
    }
    lock.unlock();
    ready_.notify_one();
  }

 private:
  void start_thread() {
    // Pool threads must not take the signals the application handles (its signal source):
    // they start with every signal blocked (platform/signals.hpp).
    try {
      platform::with_all_signals_blocked([this] { std::thread([this] { run(); }).detach(); });
    } catch (...) {
      std::lock_guard lock(mutex_);
      --threads_;
      if (threads_ == 0) fail_queued();
    }
  }

  // No thread could be started and none is running: answer the queued lookups with the
  // error rather than leave them waiting. Called with mutex_ held.
  void fail_queued() {
    for (auto& job : queue_) {
      job->error = std::make_error_code(std::errc::resource_unavailable_try_again);
      job->done.store(true, std::memory_order_release);
      job->waker.wake();
    }
    queue_.clear();
  }

  void run() {
    platform::name_current_thread("weft-resolve");
    std::unique_lock lock(mutex_);
    for (;;) {
      ++idle_;
      const bool got = ready_.wait_for(lock, kKeepAlive, [this] { return !queue_.empty(); });
      --idle_;
      if (!got) {
        --threads_;
        return;
      }
      std::shared_ptr<ResolveJob> job = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      if (!job->abandoned.load(std::memory_order_acquire)) {
        job->addresses = lookup(job->host, job->port, job->error);
        job->done.store(true, std::memory_order_release);
        job->waker.wake();
      }
      job.reset();  // drops an abandoned job's result here, off the workers
      lock.lock();
    }
  }

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::shared_ptr<ResolveJob>> queue_;
  std::size_t threads_ = 0;
  std::size_t idle_ = 0;
};

ResolverPool& pool() {
  static ResolverPool* const instance = new ResolverPool;  // never freed: see the header
  return *instance;
}

}  // namespace

void submit_resolve(std::shared_ptr<ResolveJob> job) {
  pool().submit(std::move(job));
}

std::vector<SocketAddress> lookup(const std::string& host, std::uint16_t port,
                                  std::error_code& error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* list = nullptr;
  const std::string service = std::to_string(port);
  const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &list);
  std::vector<SocketAddress> addresses;
  if (rc != 0) {
    error = std::error_code(rc, resolve_category());
    // EAI_SYSTEM (POSIX only): the reason is in errno. Windows reports every failure as a
    // code of its own.
#if defined(EAI_SYSTEM)
    if (rc == EAI_SYSTEM) error = std::error_code(errno, std::system_category());
#endif
    return addresses;
  }
  for (const addrinfo* entry = list; entry != nullptr; entry = entry->ai_next) {
    if (entry->ai_family != AF_INET && entry->ai_family != AF_INET6) continue;
    SocketAddress address = SocketAddress::from_native(entry->ai_addr, entry->ai_addrlen);
    if (std::find(addresses.begin(), addresses.end(), address) == addresses.end()) {
      addresses.push_back(address);
    }
  }
  ::freeaddrinfo(list);
  return addresses;
}

}  // namespace weft::net::detail
