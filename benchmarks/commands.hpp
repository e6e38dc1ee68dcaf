#pragma once
// The subcommands of weft-bench. Each receives the arguments after its mode word
// (`sched spawn_many_local --workers 2` -> {"spawn_many_local", "--workers", "2"}) and
// returns the process exit status. One file per subcommand: sched_command.cpp,
// serve_command.cpp, sync_command.cpp, hop_command.cpp.

#include <span>

namespace weft::bench {

int sched_command(std::span<char* const> args);
int serve_command(std::span<char* const> args);
int sync_command(std::span<char* const> args);
int hop_command(std::span<char* const> args);

}  // namespace weft::bench
