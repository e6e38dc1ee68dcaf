// A TCP echo server: whatever a client sends comes back.
//
//   weft-example-echo_server [port]        (default 8080; try: nc 127.0.0.1 8080)
//
// Ctrl-C (SIGINT) or SIGTERM shuts it down gracefully: the listener closes, so new
// connections are refused; a client in the middle of a round trip still gets its echo,
// idle clients see end of file; after at most 5 s the process exits with status 0.
// The connection handler is examples/echo_protocol.hpp, the server loop
// examples/graceful_server.hpp (both also run by `weft-bench serve echo`), its start-up
// and signal handling examples/server_main.hpp.

#include "echo_protocol.hpp"
#include "server_main.hpp"

int main(int argc, char** argv) {
  return weft_examples::serve_main(
      argc, argv, {.name = "echo server", .handler = weft_examples::echo_connection});
}
