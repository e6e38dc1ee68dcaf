#pragma once
// serve_main(): the main() of the example servers (echo_server.cpp, http_hello.cpp).
//
//   int main(int argc, char** argv) {
//     return weft_examples::serve_main(argc, argv, {.name = "echo server",
//                                                   .handler = weft_examples::echo_connection});
//   }
//
// `<program> [port]` (default 8080; 0 picks a free port, printed) serves 127.0.0.1:port with
// `handler` until SIGINT (Ctrl-C) or SIGTERM, then shuts down gracefully (graceful_server.hpp) with
// up to 5 s for the open connections, and returns 0. A bad port argument returns 2; a failure to
// start or to serve (a bad WEFT_* setting, the port in use, ...) prints one line and returns 1.

#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include <weft/io/net/net.hpp>
#include <weft/weft.hpp>

#include "graceful_server.hpp"
#include "run_or_report.hpp"

namespace weft_examples {

struct ServerSpec {
  const char* name;  // "echo server": begins the lines the server prints
  ConnectionHandler handler;
  const char* url_scheme = nullptr;  // "http": the address is printed as http://<address>/
};

namespace detail {

inline weft::Task<void> serve_until_signal(ServerSpec server, std::uint16_t port) {
  auto listener = weft::net::TcpListener::bind(weft::net::SocketAddress::ipv4_loopback(port));
  const std::string address = listener.local_address().to_string();
  if (server.url_scheme) {
    std::printf("%s on %s://%s/ (Ctrl-C to stop)\n", server.name, server.url_scheme,
                address.c_str());
  } else {
    std::printf("%s on %s (Ctrl-C to stop)\n", server.name, address.c_str());
  }
  // Whoever started us may be waiting for this line on a pipe (to learn the port of
  // `<program> 0`), where stdout is fully buffered.
  std::fflush(stdout);
  auto stop = weft::net::wait_for_signal(SIGINT, SIGTERM);
  const std::size_t left = co_await serve_until(std::move(listener), server.handler,
                                                std::move(stop), std::chrono::seconds(5));
  std::printf("%s stopped (%zu connections cut off)\n", server.name, left);
}

}  // namespace detail

inline int serve_main(int argc, char** argv, ServerSpec server) {
  std::uint16_t port = 8080;
  if (argc > 1) {
    const std::string_view text = argv[1];
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), port);
    if (error != std::errc() || end != text.data() + text.size()) {
      std::fprintf(stderr, "usage: %s [port]\n", argv[0]);
      return 2;
    }
  }
  // Before the runtime starts its threads, so that all of them inherit the mask and the
  // signals reach wait_for_signal() (see <weft/io/net/signal.hpp>).
  weft::net::block_signals({SIGINT, SIGTERM});
  return run_or_report(server.name, [&] {
    weft::Runtime runtime;  // settings from the WEFT_* variables (a bad one: ConfigError)
    runtime.block_on(detail::serve_until_signal(server, port));
  });
}

}  // namespace weft_examples
