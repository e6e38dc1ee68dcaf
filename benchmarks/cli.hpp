#pragma once
// Command-line helpers of weft-bench, shared by its subcommands. The CLI is the peers' one
// (peers/compare): `<mode> <name> --flag value ...`; a bad argument prints the usage to
// stderr and exits with status 2.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

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

}  // namespace weft::bench
