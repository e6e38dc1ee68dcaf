// `weft-bench sync <case> --workers W [--seconds S]`: one synchronisation benchmark of
// sync_workloads.hpp on a runtime of W workers, timed by the peers' convention (warm-up,
// then iterations for at least S seconds, median), printed as
// `runtime=weft workload=<case> workers=<W> ns_per_op=<float> iters=<n>`.

#include "cli.hpp"
#include "commands.hpp"
#include "sync_workloads.hpp"
#include "timing.hpp"

namespace weft::bench {

int sync_command(std::span<char* const> args) {
  const CaseArgs<SyncCase> cmd =
      parse_case_args(args, "sync", "case",
                      "mpsc_bounded_1p, mpsc_bounded_4p, mpsc_unbounded_1p, mutex_4, "
                      "notify_pingpong, spawn_blocking",
                      &parse_sync_case);
  Runtime runtime(cmd.runtime_config());
  const Measurement m =
      measure([&runtime, &cmd] { return run_sync_once(runtime, cmd.which); }, cmd.seconds);
  print_case_result(cmd.name, cmd.workers, m);
  return 0;
}

}  // namespace weft::bench
