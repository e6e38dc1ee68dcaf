#pragma once
// A minimal HTTP/1.1 "plaintext" server connection (the TechEmpower test, as
// peers/WORKLOADS.md specifies it): keep-alive, pipelining-aware, every request answered
// with the same 13-byte "Hello, World!". Requests carry no body and end at "\r\n\r\n".
//
// One read may bring several requests (pipelining): each complete one appends a response
// to one output buffer, which goes out with one write_all per read. An incomplete request
// stays at the front of the input buffer, which starts at 8 KiB and doubles up to 64 KiB
// for a long request head; a head longer than that closes the connection.
//
// Shared by examples/http_hello.cpp and `weft-bench serve http`.

#include <cstddef>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <weft/io/net/error.hpp>
#include <weft/io/net/tcp_stream.hpp>
#include <weft/runtime/task.hpp>

namespace weft_examples {

inline constexpr std::string_view kHelloResponse =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!";

inline weft::Task<void> http_connection(weft::net::TcpStream& stream) {
  constexpr std::size_t kInitialBuffer = 8 * 1024;
  constexpr std::size_t kMaxBuffer = 64 * 1024;
  constexpr std::string_view kEndOfHead = "\r\n\r\n";
  std::vector<char> input(kInitialBuffer);
  std::size_t filled = 0;
  std::string output;
  try {
    for (;;) {
      if (filled == input.size()) {
        if (input.size() == kMaxBuffer) break;  // request head too large: give up
        input.resize(input.size() * 2);
      }
      const std::size_t n =
          co_await stream.read(std::as_writable_bytes(std::span(input).subspan(filled)));
      if (n == 0) break;
      // Search only where a terminator can end: the new bytes and the 3 before them.
      std::size_t search_from = filled >= 3 ? filled - 3 : 0;
      filled += n;
      const std::string_view data(input.data(), filled);
      std::size_t consumed = 0;
      output.clear();
      for (std::size_t end; (end = data.find(kEndOfHead, search_from)) != std::string_view::npos;) {
        output.append(kHelloResponse);
        consumed = end + kEndOfHead.size();
        search_from = consumed;
      }
      if (!output.empty()) co_await stream.write_all(output);
      // Keep the unfinished request, if any, at the front.
      std::memmove(input.data(), input.data() + consumed, filled - consumed);
      filled -= consumed;
    }
  } catch (const weft::net::IoError&) {
    // Reset or vanished: nothing to answer.
  }
}

}  // namespace weft_examples
