// `weft-bench sync <case> --workers W [--seconds S]`: benchmarks of weft's synchronisation
// primitives. Not written yet.

#include <cstdio>

#include "cli.hpp"
#include "commands.hpp"

namespace weft::bench {

int sync_command(std::span<char* const> /*args*/) {
  std::fprintf(stderr, "%s: 'sync' is not implemented yet\n", kProgram);
  return 2;
}

}  // namespace weft::bench
