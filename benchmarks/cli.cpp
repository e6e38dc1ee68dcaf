#include "cli.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "timing.hpp"

namespace weft::bench {

void usage_error(std::string_view why) {
  std::fprintf(stderr,
               "%s: %.*s\n"
               "usage: %s sched <workload> --workers W [--seconds S]\n"
               "           workload: spawn_many_local | spawn_many_remote | yield_many |\n"
               "                     ping_pong | chained_spawn | fib\n"
               "       %s serve <echo|http> --workers W --port P\n"
               "       %s sync <case> --workers W [--seconds S]\n"
               "       %s hop --workers W [--rounds N]   (reactor wake latency)\n"
               "Other runtime settings come from the WEFT_* environment variables.\n",
               kProgram, static_cast<int>(why.size()), why.data(), kProgram, kProgram, kProgram,
               kProgram);
  std::exit(2);
}

Flags::Flags(std::span<char* const> args, std::span<const std::string_view> known) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    std::string_view flag = arg;
    std::optional<std::string_view> value;
    if (const std::size_t eq = arg.find('='); eq != std::string_view::npos) {
      flag = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    }
    if (std::find(known.begin(), known.end(), flag) == known.end()) {
      usage_error("unexpected argument '" + std::string(arg) + "'");
    }
    if (!value) {
      if (i + 1 >= args.size()) usage_error("missing value after " + std::string(flag));
      value = std::string_view(args[++i]);
    }
    entries_.push_back({flag, *value});
  }
}

std::optional<std::string_view> Flags::get(std::string_view flag) const {
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    if (it->flag == flag) return it->value;
  }
  return std::nullopt;
}

int Flags::required_int(std::string_view flag, int min, int max) const {
  const std::optional<std::string_view> text = get(flag);
  if (!text) usage_error(std::string(flag) + " is required");
  int value = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc{} || end != text->data() + text->size() || value < min || value > max) {
    usage_error(std::string(flag) + " needs an integer in [" + std::to_string(min) + ", " +
                std::to_string(max) + "], got '" + std::string(*text) + "'");
  }
  return value;
}

double Flags::optional_positive(std::string_view flag, double fallback, double max) const {
  const std::optional<std::string_view> text = get(flag);
  if (!text) return fallback;
  const std::string copy(*text);
  char* end = nullptr;
  const double value = std::strtod(copy.c_str(), &end);
  if (copy.empty() || end != copy.c_str() + copy.size() || !std::isfinite(value) ||
      !(value > 0.0) || value > max) {
    char bound[32];
    std::snprintf(bound, sizeof bound, "%g", max);
    usage_error(std::string(flag) + " needs a number in (0, " + bound + "], got '" + copy + "'");
  }
  return value;
}

void print_case_result(std::string_view name, int workers, const Measurement& m) {
  std::printf("runtime=weft workload=%.*s workers=%d ns_per_op=%.3f iters=%zu\n",
              static_cast<int>(name.size()), name.data(), workers, ns_per_op(m),
              m.iteration_ns.size());
  std::fflush(stdout);
}

}  // namespace weft::bench
