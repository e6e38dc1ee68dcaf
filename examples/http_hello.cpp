// An HTTP/1.1 server that answers every request with "Hello, World!": keep-alive and
// pipelining work (examples/http_protocol.hpp).
//
//   weft-example-http_hello [port]         (default 8080; try: curl http://127.0.0.1:8080/)
//
// Ctrl-C (SIGINT) or SIGTERM shuts it down gracefully: the listener closes, so new
// connections are refused; requests being answered finish, idle keep-alive connections
// are closed; after at most 5 s the process exits with status 0.

#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <string_view>

#include <weft/io/net/net.hpp>
#include <weft/weft.hpp>

#include "graceful_server.hpp"
#include "http_protocol.hpp"

namespace {

weft::Task<void> run(std::uint16_t port) {
  auto listener = weft::net::TcpListener::bind(weft::net::SocketAddress::ipv4_loopback(port));
  std::printf("http server on http://%s/ (Ctrl-C to stop)\n",
              listener.local_address().to_string().c_str());
  auto stop = weft::net::wait_for_signal(SIGINT, SIGTERM);
  const std::size_t left =
      co_await weft_examples::serve_until(std::move(listener), weft_examples::http_connection,
                                          std::move(stop), std::chrono::seconds(5));
  std::printf("http server stopped (%zu connections cut off)\n", left);
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
  weft::Runtime runtime;
  try {
    runtime.block_on(run(port));
  } catch (const std::exception& error) {
    std::fprintf(stderr, "http server: %s\n", error.what());
    return 1;
  }
  return 0;
}
