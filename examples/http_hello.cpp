// An HTTP/1.1 server that answers every request with "Hello, World!": keep-alive and
// pipelining work (examples/http_protocol.hpp).
//
//   weft-example-http_hello [port]         (default 8080; try: curl http://127.0.0.1:8080/)
//
// Ctrl-C (SIGINT) or SIGTERM shuts it down gracefully: the listener closes, so new
// connections are refused; requests being answered finish, idle keep-alive connections
// are closed; after at most 5 s the process exits with status 0. The server loop is
// examples/graceful_server.hpp, its start-up and signal handling examples/server_main.hpp.

#include "http_protocol.hpp"
#include "server_main.hpp"

int main(int argc, char** argv) {
  return weft_examples::serve_main(
      argc, argv,
      {.name = "http server", .handler = weft_examples::http_connection, .url_scheme = "http"});
}
