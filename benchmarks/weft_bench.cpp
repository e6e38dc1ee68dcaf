// weft-bench: weft's implementation of the peers' benchmark CLI (peers/compare), so that
// `peers/compare ... --extra weft=path/to/weft-bench` sets weft beside Tokio, Go, Asio and
// oneTBB. The modes are listed in `kCommands`; each lives in its own file.

#include <cstdio>
#include <exception>
#include <span>
#include <string>
#include <string_view>

#include "cli.hpp"
#include "commands.hpp"

namespace {

struct Command {
  std::string_view mode;
  int (*run)(std::span<char* const> args);
};

constexpr Command kCommands[] = {
    {"sched", &weft::bench::sched_command},
    {"serve", &weft::bench::serve_command},
    {"sync", &weft::bench::sync_command},
    {"hop", &weft::bench::hop_command},
};

}  // namespace

int main(int argc, char** argv) {
  const std::span<char* const> args(argv, static_cast<std::size_t>(argc));
  if (args.size() < 2) weft::bench::usage_error("missing mode (sched, serve, sync or hop)");
  const std::string_view mode = args[1];
  for (const Command& command : kCommands) {
    if (command.mode != mode) continue;
    try {
      return command.run(args.subspan(2));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s: %s\n", weft::bench::kProgram, e.what());
      return 1;
    }
  }
  weft::bench::usage_error("unknown mode '" + std::string(mode) + "'");
}
