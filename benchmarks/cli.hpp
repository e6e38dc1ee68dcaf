#pragma once
// Command-line helpers of weft-bench, shared by its subcommands. The CLI is the peers' one
// (peers/compare): `<mode> <name> --flag value ...`; a bad argument prints the usage to
// stderr and exits with status 2.

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <weft/runtime/config.hpp>

namespace weft::bench {

inline constexpr const char* kProgram = "weft-bench";

// Prints "weft-bench: <why>" and the usage to stderr, exits 2.
[[noreturn]] void usage_error(std::string_view why);

// The flags after `<mode> <name>`: `--flag value` or `--flag=value`. Each recognised
// flag's value is stored; an unknown flag or a missing value is a usage error.
class Flags {
 public:
  Flags(std::span<char* const> args, std::span<const std::string_view> known);

  std::optional<std::string_view> get(std::string_view flag) const;
  // The integer value of a required flag in [min, max].
  int required_int(std::string_view flag, int min, int max) const;
  // The number value of an optional flag in (0, max], or `fallback`.
  double optional_positive(std::string_view flag, double fallback, double max) const;

 private:
  struct Entry {
    std::string_view flag;
    std::string_view value;
  };
  std::vector<Entry> entries_;  // later entries override earlier ones
};

// The command line of the modes that time one named case (sched, sync):
// `<name> --workers W [--seconds S]`.
template <class Case>
struct CaseArgs {
  Case which;
  std::string_view name;  // as given, for the result line
  int workers;
  double seconds;

  // WEFT_* variables may tune the runtime; the worker count is always the flag's.
  Config runtime_config() const {
    return Config::builder().from_env().worker_threads(static_cast<std::size_t>(workers)).build();
  }
};

// `parse` maps a name to its case. The usage errors read "<mode> needs a <noun> name" and
// "unknown <noun> '<name>' (<choices>)".
template <class Case>
CaseArgs<Case> parse_case_args(std::span<char* const> args, std::string_view mode,
                               std::string_view noun, std::string_view choices,
                               std::optional<Case> (*parse)(std::string_view) noexcept) {
  if (args.empty()) usage_error(std::string(mode) + " needs a " + std::string(noun) + " name");
  const std::string_view name = args[0];
  const std::optional<Case> which = parse(name);
  if (!which) {
    usage_error("unknown " + std::string(noun) + " '" + std::string(name) + "' (" +
                std::string(choices) + ")");
  }
  constexpr std::array<std::string_view, 2> kKnown = {"--workers", "--seconds"};
  const Flags flags(args.subspan(1), kKnown);
  const int workers = flags.required_int("--workers", 1, 1024);
  const double seconds = flags.optional_positive("--seconds", 1.0, 3600.0);
  return {*which, name, workers, seconds};
}

struct Measurement;

// Prints the line peers/compare reads, then flushes:
// `runtime=weft workload=<name> workers=<W> ns_per_op=<float> iters=<n>`.
void print_case_result(std::string_view name, int workers, const Measurement& m);

}  // namespace weft::bench
