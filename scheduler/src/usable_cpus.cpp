#include <weft/scheduler/usable_cpus.hpp>

#include <algorithm>
#include <thread>

#include "platform/cpus.hpp"

namespace weft {

namespace {

std::vector<unsigned> all_hardware_threads() {
  std::vector<unsigned> cpus(std::max(1u, std::thread::hardware_concurrency()));
  for (unsigned i = 0; i < cpus.size(); ++i) cpus[i] = i;
  return cpus;
}

}  // namespace

std::vector<unsigned> usable_cpus() {
  std::vector<unsigned> cpus = platform::affinity_cpus();
  return cpus.empty() ? all_hardware_threads() : cpus;
}

std::size_t cpu_budget() {
  return detail::cpu_budget_of(usable_cpus().size());
}

std::size_t detail::cpu_budget_of(std::size_t usable) {
  const std::optional<std::size_t> quota = platform::cpu_quota();
  return quota ? std::clamp<std::size_t>(*quota, 1, usable) : usable;
}

}  // namespace weft
