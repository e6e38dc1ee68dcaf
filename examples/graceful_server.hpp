#pragma once
// serve_until(): a TCP server loop with graceful shutdown, shared by the examples and by
// `weft-bench serve`:
//
//   co_await serve_until(std::move(listener), echo_connection,
//                        weft::net::wait_for_signal({SIGINT, SIGTERM}), std::chrono::seconds(5));
//
// - one accept loop task; one task per connection (TCP_NODELAY set) running
//   `handler(stream)`, a Task<void>(TcpStream&);
// - when `stop` (any weft future) completes: the listener is closed, so new connections
//   are refused; every open connection is shut down for reading, so a connection waiting
//   for its next request sees end of file and ends, while one in the middle of a request
//   still writes its response; then serve_until waits up to `grace` for the connection
//   tasks to finish. Those still running after that are left to the runtime, whose
//   shutdown cancels them.

#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <unordered_set>
#include <utility>

#include <weft/io/net/error.hpp>
#include <weft/io/net/tcp_listener.hpp>
#include <weft/io/net/tcp_stream.hpp>
#include <weft/runtime/runtime.hpp>
#include <weft/runtime/task.hpp>
#include <weft/runtime/time.hpp>
#include <weft/scheduler/context.hpp>
#include <weft/scheduler/poll.hpp>
#include <weft/scheduler/waker.hpp>

namespace weft_examples {

// The open connections of a server, so that shutdown can reach them and wait for them.
class ConnectionTracker {
 public:
  // Registers `stream` until the Guard is destroyed (declare the Guard after the stream).
  class Guard {
   public:
    Guard(ConnectionTracker& tracker, weft::net::StreamSocket& stream)
        : tracker_(&tracker), stream_(&stream) {}
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;
    ~Guard() { tracker_->remove(stream_); }

   private:
    ConnectionTracker* tracker_;
    weft::net::StreamSocket* stream_;
  };

  // Announces a connection whose task is spawned but has not called track() yet, so that
  // drained() waits for it too.
  void expect() {
    std::lock_guard lock(mutex_);
    ++expected_;
  }

  [[nodiscard]] Guard track(weft::net::StreamSocket& stream) {
    bool stopping;
    {
      std::lock_guard lock(mutex_);
      streams_.insert(&stream);
      if (expected_ > 0) --expected_;
      stopping = stopping_;
    }
    if (stopping) stop_reading(stream);  // accepted just before the listener closed
    return Guard(*this, stream);
  }

  // Ends every connection's reading side: a pending read returns end of file.
  void stop_reading_all() {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (weft::net::StreamSocket* stream : streams_) stop_reading(*stream);
  }

  std::size_t active() const {
    std::lock_guard lock(mutex_);
    return streams_.size() + expected_;
  }

  // A future that is ready once no connection is registered.
  struct Drained {
    ConnectionTracker* tracker;
    weft::Poll<void> poll(weft::Context& cx) {
      std::lock_guard lock(tracker->mutex_);
      if (tracker->streams_.empty() && tracker->expected_ == 0) return weft::ready;
      tracker->drained_waker_ = cx.waker();
      return weft::pending;
    }
  };
  Drained drained() noexcept { return Drained{this}; }

 private:
  static void stop_reading(weft::net::StreamSocket& stream) noexcept {
    try {
      stream.shutdown(weft::net::Shutdown::read);
    } catch (const weft::net::IoError&) {
      // Already closed or reset: it is ending anyway.
    }
  }

  void remove(weft::net::StreamSocket* stream) {
    weft::Waker waker;
    {
      std::lock_guard lock(mutex_);
      streams_.erase(stream);
      if (streams_.empty() && expected_ == 0) waker = std::move(drained_waker_);
    }
    waker.wake();
  }

  mutable std::mutex mutex_;
  std::unordered_set<weft::net::StreamSocket*> streams_;
  std::size_t expected_ = 0;  // spawned, not yet tracked
  bool stopping_ = false;
  weft::Waker drained_waker_;
};

using ConnectionHandler = weft::Task<void> (*)(weft::net::TcpStream&);

namespace detail {

inline weft::Task<void> run_connection(std::shared_ptr<ConnectionTracker> tracker,
                                       weft::net::TcpStream stream, ConnectionHandler handler) {
  const ConnectionTracker::Guard guard = tracker->track(stream);
  co_await handler(stream);
}

inline weft::Task<void> accept_loop(std::shared_ptr<weft::net::TcpListener> listener,
                                    std::shared_ptr<ConnectionTracker> tracker,
                                    ConnectionHandler handler) {
  for (;;) {
    std::pair<weft::net::TcpStream, weft::net::SocketAddress> accepted;
    try {
      accepted = co_await listener->accept();
    } catch (const weft::net::IoError& error) {
      // Closed by serve_until: stop accepting. Anything else accept() does not recover from
      // (it already waits out EMFILE and friends) ends the loop too, loudly.
      if (listener->is_open()) std::fprintf(stderr, "accept loop stopped: %s\n", error.what());
      co_return;
    }
    try {
      accepted.first.set_nodelay(true);
    } catch (const weft::net::IoError&) {
      continue;  // reset before we could use it: take the next one
    }
    tracker->expect();
    weft::spawn(run_connection(tracker, std::move(accepted.first), handler)).detach();
  }
}

}  // namespace detail

// Serves until `stop` completes, then shuts down as described above. Returns the number of
// connections still open when the grace period ended (0 after a clean drain).
template <class Stop>
weft::Task<std::size_t> serve_until(weft::net::TcpListener listener, ConnectionHandler handler,
                                    Stop stop, std::chrono::milliseconds grace) {
  auto shared_listener = std::make_shared<weft::net::TcpListener>(std::move(listener));
  auto tracker = std::make_shared<ConnectionTracker>();
  auto acceptor = weft::spawn(detail::accept_loop(shared_listener, tracker, handler));

  co_await stop;

  shared_listener->close();  // refuse new connections; wakes the accept loop
  co_await acceptor;
  tracker->stop_reading_all();
  try {
    co_await weft::timeout(grace, tracker->drained());
  } catch (const weft::TimeoutError&) {
    // Some connection is still busy; the runtime's shutdown will cancel it.
  }
  co_return tracker->active();
}

}  // namespace weft_examples
