// A TCP echo server: whatever a client sends comes back.
//
//   weft-example-echo_server [port]        (default 8080; try: nc 127.0.0.1 8080)
//
// Ctrl-C (SIGINT) or SIGTERM shuts it down gracefully: the listener closes, so new
// connections are refused; a client in the middle of a round trip still gets its echo,
// idle clients see end of file; after at most 5 s the process exits with status 0.
// The connection handler is examples/echo_protocol.hpp, the server loop
// examples/graceful_server.hpp (both also run by `weft-bench serve echo`).

#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <string_view>

#include <weft/io/net/net.hpp>
#include <weft/weft.hpp>

#include "echo_protocol.hpp"
#include "graceful_server.hpp"

namespace {

weft::Task<void> run(std::uint16_t port) {
  auto listener = weft::net::TcpListener::bind(weft::net::SocketAddress::ipv4_loopback(port));
  std::printf("echo server on %s (Ctrl-C to stop)\n", listener.local_address().to_string().c_str());
  auto stop = weft::net::wait_for_signal(SIGINT, SIGTERM);
  const std::size_t left =
      co_await weft_examples::serve_until(std::move(listener), weft_examples::echo_connection,
                                          std::move(stop), std::chrono::seconds(5));
  std::printf("echo server stopped (%zu connections cut off)\n", left);
}

}  // namespace

int main(int argc, char** argv) {
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
  weft::Runtime runtime;  // worker count from WEFT_WORKER_THREADS or the core count
  try {
    runtime.block_on(run(port));
  } catch (const std::exception& error) {
    std::fprintf(stderr, "echo server: %s\n", error.what());
    return 1;
  }
  return 0;
}
