// `weft-bench sched <workload> --workers W [--seconds S]`: one scheduler workload of
// peers/WORKLOADS.md on a runtime of W workers, timed by the peers' convention, printed as
// `runtime=weft workload=<name> workers=<W> ns_per_op=<float> iters=<n>`.

#include "cli.hpp"
#include "commands.hpp"
#include "sched_workloads.hpp"
#include "timing.hpp"

namespace weft::bench {

int sched_command(std::span<char* const> args) {
  const CaseArgs<SchedWorkload> cmd =
      parse_case_args(args, "sched", "workload",
                      "spawn_many_local, spawn_many_remote, yield_many, ping_pong, "
                      "chained_spawn, fib",
                      &parse_sched_workload);
  Runtime runtime(cmd.runtime_config());
  SchedRunner runner(runtime, cmd.which);
  const Measurement m = measure([&runner] { return runner.run_once(); }, cmd.seconds);
  print_case_result(cmd.name, cmd.workers, m);
  return 0;
}

}  // namespace weft::bench
