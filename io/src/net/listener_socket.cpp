#include <weft/io/net/listener_socket.hpp>

#include <algorithm>
#include <atomic>
#include <string>
#include <string_view>

#include <sys/socket.h>

#include <weft/io/net/error.hpp>

#include "socket_core.hpp"

namespace weft::net {

namespace detail {

struct ListenerState {
  static constexpr std::chrono::milliseconds kFirstBackoff{10};
  static constexpr std::chrono::milliseconds kMaxBackoff{1000};

  SocketPtr socket;
  std::atomic<std::uint64_t> backoffs{0};
  // The next backoff's length; only the (single) pending accept() touches it.
  std::atomic<std::chrono::milliseconds::rep> next_backoff_ms{kFirstBackoff.count()};
};

void ListenerStateDeleter::operator()(ListenerState* state) const noexcept {
  delete state;
}

namespace {

// Out of descriptors or memory: the connection waits in the backlog until we can take it.
bool is_resource_exhaustion(int error) noexcept {
  return error == EMFILE || error == ENFILE || error == ENOBUFS || error == ENOMEM ||
         error == ENOSPC;  // ENOSPC: epoll's max_user_watches
}

// Errors of the pending connection that accept(2) passes through: take the next one.
bool is_connection_error(int error) noexcept {
  switch (error) {
    case ECONNABORTED:
    case EPROTO:
    case ENETDOWN:
    case ENOPROTOOPT:
    case EHOSTDOWN:
    case ENONET:
    case EHOSTUNREACH:
    case ENETUNREACH:
      return true;
    default:
      return false;
  }
}

}  // namespace

void AcceptCore::start_backoff() {
  const std::chrono::milliseconds delay(state_->next_backoff_ms.load(std::memory_order_relaxed));
  const auto next = std::min(delay * 2, ListenerState::kMaxBackoff);
  state_->next_backoff_ms.store(next.count(), std::memory_order_relaxed);
  state_->backoffs.fetch_add(1, std::memory_order_relaxed);
  backoff_.emplace(io::Sleep::after(state_->socket->reactor(), delay));
}

Poll<Accepted> AcceptCore::poll(Context& cx) {
  if (state_ == nullptr) SocketCore::throw_closed("accept");
  SocketCore& listener = *state_->socket;
  for (;;) {
    if (backoff_) {
      if (backoff_->poll(cx).is_pending()) return pending;
      backoff_.reset();
    }
    sockaddr_storage storage{};
    socklen_t length = sizeof storage;
    Poll<IoResult> result =
        listener.poll_io(io::Direction::read, cx, "accept", 0, [&storage, &length](int fd) {
          length = sizeof storage;
          return ::accept4(fd, reinterpret_cast<sockaddr*>(&storage), &length,
                           SOCK_NONBLOCK | SOCK_CLOEXEC);
        });
    if (result.is_pending()) return pending;
    const IoResult outcome = result.value();
    if (outcome.error == 0) {
      io::FileDescriptor fd(static_cast<int>(outcome.value));
      SocketPtr socket;
      try {
        socket = SocketCore::adopt(listener.reactor(), std::move(fd), Transfer::stream, "accept");
      } catch (const IoError& e) {
        if (!is_resource_exhaustion(e.error_number())) throw;
        start_backoff();  // this connection is lost (closed); keep serving the others
        continue;
      }
      state_->next_backoff_ms.store(ListenerState::kFirstBackoff.count(),
                                    std::memory_order_relaxed);
      return Accepted{std::move(socket), SocketAddress::from_native(
                                             reinterpret_cast<const sockaddr*>(&storage), length)};
    }
    if (is_connection_error(outcome.error)) continue;
    if (is_resource_exhaustion(outcome.error)) {
      start_backoff();
      continue;
    }
    throw IoError(outcome.error, "accept");
  }
}

}  // namespace detail

ListenerSocket::ListenerSocket(io::Reactor& reactor, const SocketAddress& address, int type,
                               const ListenOptions& options)
    : state_(new detail::ListenerState) {
  // "<step> <address>", e.g. "bind 127.0.0.1:80".
  const std::string where = address.to_string();
  auto op = [&where](std::string_view step) {
    std::string text(step);
    text += ' ';
    text += where;
    return text;
  };
  io::FileDescriptor fd =
      detail::SocketCore::open_socket(address.native_family(), type, op("socket").c_str());
  const bool ip = address.is_ipv4() || address.is_ipv6();
  auto enable = [&fd, &op](int name, std::string_view step) {
    const int on = 1;
    if (::setsockopt(fd.get(), SOL_SOCKET, name, &on, sizeof on) != 0) {
      throw IoError(errno, op(step));
    }
  };
  if (ip && options.reuse_address) enable(SO_REUSEADDR, "setsockopt(SO_REUSEADDR)");
  if (ip && options.reuse_port) enable(SO_REUSEPORT, "setsockopt(SO_REUSEPORT)");
  if (::bind(fd.get(), address.native(), address.native_length()) != 0) {
    throw IoError(errno, op("bind"));
  }
  if (::listen(fd.get(), std::max(options.backlog, 0)) != 0) throw IoError(errno, op("listen"));
  state_->socket = detail::SocketCore::adopt(reactor, std::move(fd), detail::Transfer::stream,
                                             op("listen").c_str());
}

SocketAddress ListenerSocket::local_address() const {
  if (!state_) detail::SocketCore::throw_closed("local_address");
  return state_->socket->local_address("local_address");
}

void ListenerSocket::close() noexcept {
  if (state_) state_->socket->close();
}

bool ListenerSocket::is_open() const noexcept {
  return state_ && !state_->socket->is_closed();
}

std::uint64_t ListenerSocket::accept_backoffs() const noexcept {
  return state_ ? state_->backoffs.load(std::memory_order_relaxed) : 0;
}

int ListenerSocket::native_handle() const noexcept {
  return is_open() ? state_->socket->fd() : -1;
}

}  // namespace weft::net
