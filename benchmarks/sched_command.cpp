// `weft-bench sched <workload> --workers W [--seconds S]`: one scheduler workload of
// peers/WORKLOADS.md on a runtime of W workers, timed by the peers' convention, printed as
// `runtime=weft workload=<name> workers=<W> ns_per_op=<float> iters=<n>`.

#include <array>
#include <cstdio>
#include <string>

#include "cli.hpp"
#include "commands.hpp"
#include "sched_workloads.hpp"
#include "timing.hpp"

namespace weft::bench {

int sched_command(std::span<char* const> args) {
  if (args.empty()) usage_error("sched needs a workload name");
  const std::string_view workload_name = args[0];
  const std::optional<SchedWorkload> workload = parse_sched_workload(workload_name);
  if (!workload) {
    usage_error("unknown workload '" + std::string(workload_name) +
                "' (spawn_many_local, spawn_many_remote, yield_many, ping_pong, "
                "chained_spawn, fib)");
  }
  constexpr std::array<std::string_view, 2> kKnown = {"--workers", "--seconds"};
  const Flags flags(args.subspan(1), kKnown);
  const int workers = flags.required_int("--workers", 1, 1024);
  const double seconds = flags.optional_positive("--seconds", 1.0, 3600.0);

  // WEFT_* variables may tune the runtime; the worker count is always the flag's.
  Runtime runtime(
      Config::builder().from_env().worker_threads(static_cast<std::size_t>(workers)).build());
  SchedRunner runner(runtime, *workload);
  const Measurement m = measure([&runner] { return runner.run_once(); }, seconds);

  std::printf("runtime=weft workload=%.*s workers=%d ns_per_op=%.3f iters=%zu\n",
              static_cast<int>(workload_name.size()), workload_name.data(), workers, ns_per_op(m),
              m.iteration_ns.size());
  std::fflush(stdout);
  return 0;
}

}  // namespace weft::bench
