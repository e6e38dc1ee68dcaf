// `weft-bench serve <echo|http> --workers W --port P`: the network workloads of
// peers/WORKLOADS.md. Not written yet.

#include <cstdio>

#include "cli.hpp"
#include "commands.hpp"

namespace weft::bench {

int serve_command(std::span<char* const> /*args*/) {
  std::fprintf(stderr, "%s: 'serve' is not implemented yet\n", kProgram);
  return 2;
}

}  // namespace weft::bench
