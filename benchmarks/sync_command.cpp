// `weft-bench sync <case> --workers W [--seconds S]`: one synchronisation benchmark of
// sync_workloads.hpp on a runtime of W workers, timed by the peers' convention (warm-up,
// then iterations for at least S seconds, median), printed as
// `runtime=weft workload=<case> workers=<W> ns_per_op=<float> iters=<n>`.

#include <array>
#include <cstdio>
#include <string>

#include "cli.hpp"
#include "commands.hpp"
#include "sync_workloads.hpp"
#include "timing.hpp"

namespace weft::bench {

int sync_command(std::span<char* const> args) {
  if (args.empty()) usage_error("sync needs a case name");
  const std::string_view case_name = args[0];
  const std::optional<SyncCase> sync_case = parse_sync_case(case_name);
  if (!sync_case) {
    usage_error("unknown case '" + std::string(case_name) +
                "' (mpsc_bounded_1p, mpsc_bounded_4p, mpsc_unbounded_1p, mutex_4, "
                "notify_pingpong, spawn_blocking)");
  }
  constexpr std::array<std::string_view, 2> kKnown = {"--workers", "--seconds"};
  const Flags flags(args.subspan(1), kKnown);
  const int workers = flags.required_int("--workers", 1, 1024);
  const double seconds = flags.optional_positive("--seconds", 1.0, 3600.0);

  // WEFT_* variables may tune the runtime; the worker count is always the flag's.
  Runtime runtime(
      Config::builder().from_env().worker_threads(static_cast<std::size_t>(workers)).build());
  const Measurement m =
      measure([&runtime, &sync_case] { return run_sync_once(runtime, *sync_case); }, seconds);

  std::printf("runtime=weft workload=%.*s workers=%d ns_per_op=%.3f iters=%zu\n",
              static_cast<int>(case_name.size()), case_name.data(), workers, ns_per_op(m),
              m.iteration_ns.size());
  std::fflush(stdout);
  return 0;
}

}  // namespace weft::bench
