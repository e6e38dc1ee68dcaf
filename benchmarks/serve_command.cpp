// `weft-bench serve <echo|http> --workers W --port P`: the network workloads of
// peers/WORKLOADS.md, served on 127.0.0.1:P (SO_REUSEADDR, backlog 4096) until SIGTERM or
// SIGINT, then a graceful shutdown, one line of runtime metrics on stderr (who drove the
// reactor, wakes per batch, parks: what to look at when a run is slower than expected) and
// exit status 0. The protocol handlers and the server loop are the examples' own
// (examples/*_protocol.hpp, examples/graceful_server.hpp), so what is measured is what the
// examples run.

#include <array>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <string>

#include <weft/io/net/signal.hpp>
#include <weft/io/net/socket_address.hpp>
#include <weft/io/net/tcp_listener.hpp>
#include <weft/weft.hpp>

#include "../examples/echo_protocol.hpp"
#include "../examples/graceful_server.hpp"
#include "../examples/http_protocol.hpp"
#include "cli.hpp"
#include "commands.hpp"

namespace weft::bench {

namespace {

Task<void> serve(weft_examples::ConnectionHandler handler, std::uint16_t port) {
  const auto address = net::SocketAddress::ipv4_loopback(port);
  auto listener = net::TcpListener::bind(address, {.backlog = 4096, .reuse_address = true});
  std::printf("weft-bench: serving on %s\n", listener.local_address().to_string().c_str());
  std::fflush(stdout);
  auto stop = net::wait_for_signal(SIGINT, SIGTERM);
  co_await weft_examples::serve_until(std::move(listener), handler, std::move(stop),
                                      std::chrono::seconds(1));
}

void print_metrics(Runtime& runtime) {
  const io::ReactorMetrics reactor = runtime.reactor().metrics();
  WorkerMetrics total;
  for (const WorkerMetrics& m : runtime.metrics()) {
    total.polls += m.polls;
    total.parks += m.parks;
    total.unparks += m.unparks;
    total.spins += m.spins;
    total.steals += m.steals;
    total.stalled_peer_steals += m.stalled_peer_steals;
    total.overflows += m.overflows;
  }
  std::fprintf(
      stderr,
      "weft-bench: metrics: reactor turns=%llu (by workers %llu, by the reactor thread "
      "%llu, left to busy workers %llu, checks %llu) events=%llu wakes=%llu wakes_per_batch=%.1f; "
      "workers polls=%llu parks=%llu unparks=%llu spins=%llu steals=%llu "
      "stalled_peer_steals=%llu overflows=%llu\n",
      static_cast<unsigned long long>(reactor.turns),
      static_cast<unsigned long long>(reactor.worker_turns),
      static_cast<unsigned long long>(reactor.turns - reactor.worker_turns),
      static_cast<unsigned long long>(reactor.left_to_busy_workers),
      static_cast<unsigned long long>(reactor.fallback_checks),
      static_cast<unsigned long long>(reactor.events),
      static_cast<unsigned long long>(reactor.wakes), reactor.wakes_per_batch(),
      static_cast<unsigned long long>(total.polls), static_cast<unsigned long long>(total.parks),
      static_cast<unsigned long long>(total.unparks), static_cast<unsigned long long>(total.spins),
      static_cast<unsigned long long>(total.steals),
      static_cast<unsigned long long>(total.stalled_peer_steals),
      static_cast<unsigned long long>(total.overflows));
}

}  // namespace

int serve_command(std::span<char* const> args) {
  if (args.empty()) usage_error("serve needs a protocol (echo or http)");
  const std::string_view protocol = args[0];
  weft_examples::ConnectionHandler handler = nullptr;
  if (protocol == "echo") {
    handler = &weft_examples::echo_connection;
  } else if (protocol == "http") {
    handler = &weft_examples::http_connection;
  } else {
    usage_error("unknown protocol '" + std::string(protocol) + "' (echo, http)");
  }
  constexpr std::array<std::string_view, 2> kKnown = {"--workers", "--port"};
  const Flags flags(args.subspan(1), kKnown);
  const int workers = flags.required_int("--workers", 1, 1024);
  const int port = flags.required_int("--port", 0, 65535);

  // Before any thread exists, so that every thread inherits the mask (signal.hpp).
  net::block_signals({SIGINT, SIGTERM});
  Runtime runtime(
      Config::builder().from_env().worker_threads(static_cast<std::size_t>(workers)).build());
  runtime.block_on(serve(handler, static_cast<std::uint16_t>(port)));
  print_metrics(runtime);
  return 0;
}

}  // namespace weft::bench
