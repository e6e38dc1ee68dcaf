#pragma once
// StreamSocket: the byte-stream operations TcpStream and UnixStream share (read, write,
// read_exact, write_all, shutdown, close, addresses). Each asynchronous operation returns a
// future (`Poll<T> poll(Context&)`) to co_await inside a weft::Task:
//
//   std::size_t n = co_await stream.read(buffer);     // 0 = end of file
//   co_await stream.write_all(std::span(reply));      // everything, or IoError
//
// Rules (docs/networking.md):
// - The stream must outlive the futures of its operations, and so must the buffers. It
//   may be moved while an operation is pending (the futures point at its heap core).
// - At most one read-side and one write-side operation may be pending at a time (one
//   reader task and one writer task may share a stream).
// - Destroying a pending future (abort, timeout) cancels the operation: nothing was lost
//   that the caller was told about: a cancelled read consumed nothing; a cancelled
//   write_all may have sent a prefix of the data.
// - close() may be called from any task while others wait on the stream: they are woken
//   and get IoError(EBADF, "<op> on a closed socket").
// - Writes use send(MSG_NOSIGNAL): writing to a closed peer throws IoError(EPIPE or
//   ECONNRESET), it never raises SIGPIPE.
// - Every operation consumes one unit of the task's cooperative budget, so a task that
//   always finds data ready still lets the others on its worker run.

#include <cstddef>
#include <span>
#include <string_view>

#include <weft/io/native_handle.hpp>
#include <weft/io/net/socket_address.hpp>
#include <weft/io/net/socket_handle.hpp>
#include <weft/scheduler/context.hpp>
#include <weft/scheduler/poll.hpp>

namespace weft::net {

enum class Shutdown { read, write, both };

// Ready with the number of bytes read; 0 at end of file (and for an empty buffer).
class ReadFuture {
 public:
  ReadFuture(detail::SocketCore* core, std::span<std::byte> buffer) noexcept
      : core_(core), buffer_(buffer) {}
  Poll<std::size_t> poll(Context& cx);

 private:
  detail::SocketCore* core_;
  std::span<std::byte> buffer_;
};

// Ready with the number of bytes written (at least 1 unless `data` is empty).
class WriteFuture {
 public:
  WriteFuture(detail::SocketCore* core, std::span<const std::byte> data) noexcept
      : core_(core), data_(data) {}
  Poll<std::size_t> poll(Context& cx);

 private:
  detail::SocketCore* core_;
  std::span<const std::byte> data_;
};

// Ready once `buffer` is full; throws UnexpectedEof if the stream ends first.
class ReadExactFuture {
 public:
  ReadExactFuture(detail::SocketCore* core, std::span<std::byte> buffer) noexcept
      : core_(core), buffer_(buffer) {}
  Poll<void> poll(Context& cx);
  std::size_t received() const noexcept { return done_; }

 private:
  detail::SocketCore* core_;
  std::span<std::byte> buffer_;
  std::size_t done_ = 0;
};

// Ready once all of `data` was written. Pending while the socket's send buffer is full,
// which is the back-pressure a slow reader applies.
class WriteAllFuture {
 public:
  WriteAllFuture(detail::SocketCore* core, std::span<const std::byte> data) noexcept
      : core_(core), data_(data) {}
  Poll<void> poll(Context& cx);
  std::size_t written() const noexcept { return done_; }

 private:
  detail::SocketCore* core_;
  std::span<const std::byte> data_;
  std::size_t done_ = 0;
};

class StreamSocket {
 public:
  StreamSocket(StreamSocket&&) noexcept = default;
  StreamSocket& operator=(StreamSocket&&) noexcept = default;

  ReadFuture read(std::span<std::byte> buffer) noexcept { return {core_.get(), buffer}; }
  ReadExactFuture read_exact(std::span<std::byte> buffer) noexcept { return {core_.get(), buffer}; }
  WriteFuture write(std::span<const std::byte> data) noexcept { return {core_.get(), data}; }
  WriteAllFuture write_all(std::span<const std::byte> data) noexcept { return {core_.get(), data}; }
  WriteAllFuture write_all(std::string_view text) noexcept {
    return {core_.get(), std::as_bytes(std::span(text.data(), text.size()))};
  }

  // shutdown(2): Shutdown::write sends FIN (the peer reads end of file) while reading goes
  // on; Shutdown::read makes pending and later reads return end of file.
  void shutdown(Shutdown how);
  // Deregisters and closes the descriptor (see the rules above). Idempotent.
  void close() noexcept;
  // False after close(), for a moved-from or default-constructed stream.
  bool is_open() const noexcept;

  SocketAddress local_address() const;
  SocketAddress peer_address() const;
  // The descriptor (a SOCKET on Windows), or io::invalid_handle when closed. For socket
  // options weft does not wrap; do not close it or change its blocking mode.
  io::NativeHandle native_handle() const noexcept;

 protected:
  StreamSocket() noexcept = default;
  explicit StreamSocket(detail::SocketPtr core) noexcept : core_(std::move(core)) {}
  ~StreamSocket() = default;

  detail::SocketCore* core() const noexcept { return core_.get(); }

 private:
  detail::SocketPtr core_;
};

}  // namespace weft::net
