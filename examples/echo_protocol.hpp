#pragma once
// The echo protocol: whatever the client sends comes straight back. One 16 KiB buffer per
// connection: read what arrived, write all of it, repeat until the client closes.
//
// Shared by examples/echo_server.cpp and `weft-bench serve echo` (peers/WORKLOADS.md).

#include <cstddef>
#include <span>
#include <vector>

#include <weft/io/net/error.hpp>
#include <weft/io/net/tcp_stream.hpp>
#include <weft/runtime/task.hpp>

namespace weft_examples {

inline weft::Task<void> echo_connection(weft::net::TcpStream& stream) {
  std::vector<std::byte> buffer(16 * 1024);
  try {
    for (;;) {
      const std::size_t n = co_await stream.read(buffer);
      if (n == 0) break;  // the client closed its side
      co_await stream.write_all(std::span(buffer).first(n));
    }
  } catch (const weft::net::IoError&) {
    // Reset or vanished: there is no one left to answer.
  }
}

}  // namespace weft_examples
