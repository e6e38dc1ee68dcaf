#pragma once
// Raw descriptors for the io tests, with one implementation per platform (tests/CMakeLists.txt
// picks the file):
//
//   test_sockets_posix.cpp    pipes and AF_UNIX socket pairs
//   test_sockets_windows.cpp  Winsock: connected loopback TCP pairs stand in for both, since
//                             IOCP (AFD) watches sockets only and a pipe is not one
//
// Everything is non-blocking and throws std::system_error on failure.

#include <chrono>
#include <cstddef>

#include <weft/io/file_descriptor.hpp>
#include <weft/io/native_handle.hpp>

namespace weft_test {

struct FdPair {
  weft::io::FileDescriptor first;
  weft::io::FileDescriptor second;
};

// first = read end, second = write end. Closing the write end is end-of-file (hang-up) for
// the read end.
FdPair make_pipe();
// A connected stream pair.
FdPair make_socketpair();
// A connected loopback TCP pair, first = client, second = the accepted server end.
FdPair make_tcp_pair();

// Whether the system has AF_UNIX stream sockets: Linux does, Windows since 10 1803; Wine 8
// does not (every Unix socket then fails with EAFNOSUPPORT).
bool system_has_unix_sockets();

// One write or read: the byte count, or -1 if it would block (or failed).
std::ptrdiff_t write_some(weft::io::NativeHandle fd, const void* data, std::size_t size);
std::ptrdiff_t read_some(weft::io::NativeHandle fd, void* buffer, std::size_t size);

// Whether the last failed read_some/write_some of this thread failed because it would block
// (EAGAIN, WSAEWOULDBLOCK) rather than for an error.
bool last_call_would_block();
// Blocks until `fd` is readable (or hung up); false after `timeout`.
bool wait_readable(weft::io::NativeHandle fd, std::chrono::milliseconds timeout);
// shutdown(both directions).
void shutdown_both(weft::io::NativeHandle fd);

void write_byte(weft::io::NativeHandle fd, char byte = 'x');
// Reads until it would block (or end of file); returns how many bytes it took.
std::size_t drain(weft::io::NativeHandle fd);
// Writes until it would block; returns how many bytes went.
std::size_t fill(weft::io::NativeHandle fd);
// Closes with a reset (SO_LINGER 0): the peer sees ECONNRESET rather than end of file.
void close_with_reset(weft::io::FileDescriptor& fd);

}  // namespace weft_test
