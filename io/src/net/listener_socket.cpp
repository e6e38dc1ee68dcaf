#include <weft/io/net/listener_socket.hpp>

#include <algorithm>
#include <atomic>
#include <string>
#include <string_view>

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
    case EHOSTUNREACH:
    case ENETUNREACH:
      return true;
    default:
      break;
  }
    // Linux also passes these through; not every <cerrno> has them (Windows' does not, and
    // its socket layer reports a host that is down as EHOSTUNREACH).
#if defined(EHOSTDOWN) && defined(ENONET)
  return error == EHOSTDOWN || error == ENONET;
#else
  return false;
#endif
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
    SocketAddress::Storage storage{};
    std::uint32_t length = sizeof storage;
    io::NativeHandle accepted = io::invalid_handle;
    Poll<IoResult> result = listener.poll_io(
        io::Direction::read, cx, "accept", 0,
        [&storage, &length, &accepted](io::NativeHandle fd) -> std::ptrdiff_t {
          length = sizeof storage;
          accepted = io::sys::accept_socket(fd, reinterpret_cast<sockaddr*>(&storage), &length);
          return accepted == io::invalid_handle ? -1 : 0;
        });
    if (result.is_pending()) return pending;
    const IoResult outcome = result.value();
    if (outcome.error == 0) {
      io::FileDescriptor fd(accepted);
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
  auto enable = [&fd, &op](io::sys::SocketFlag flag, std::string_view step) {
    if (io::sys::set_flag(fd.get(), flag, true) != 0) {
      throw IoError(io::sys::last_error(), op(step));
    }
  };
  if (ip && options.reuse_address) {
    enable(io::sys::SocketFlag::reuse_address, "setsockopt(SO_REUSEADDR)");
  }
  if (ip && options.reuse_port) enable(io::sys::SocketFlag::reuse_port, "setsockopt(SO_REUSEPORT)");
  if (io::sys::bind_socket(fd.get(), address.native(), address.native_length()) != 0) {
    throw IoError(io::sys::last_error(), op("bind"));
  }
  if (io::sys::listen_socket(fd.get(), std::max(options.backlog, 0)) != 0) {
    throw IoError(io::sys::last_error(), op("listen"));
  }
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

io::NativeHandle ListenerSocket::native_handle() const noexcept {
  return is_open() ? state_->socket->fd() : io::invalid_handle;
}

}  // namespace weft::net
