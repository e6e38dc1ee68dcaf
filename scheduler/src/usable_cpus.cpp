#include <weft/scheduler/usable_cpus.hpp>

#include <sched.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <thread>

namespace weft {

namespace {

struct CpuSetDeleter {
  void operator()(cpu_set_t* set) const noexcept { CPU_FREE(set); }
};
using CpuSetPtr = std::unique_ptr<cpu_set_t, CpuSetDeleter>;

std::vector<unsigned> all_hardware_threads() {
  std::vector<unsigned> cpus(std::max(1u, std::thread::hardware_concurrency()));
  for (unsigned i = 0; i < cpus.size(); ++i) cpus[i] = i;
  return cpus;
}

}  // namespace

std::vector<unsigned> usable_cpus() {
  // The kernel's mask may be wider than the default cpu_set_t (1024 CPUs): grow until it fits.
  for (int capacity = CPU_SETSIZE; capacity <= (1 << 20); capacity *= 2) {
    const CpuSetPtr set(CPU_ALLOC(capacity));
    if (!set) break;
    const std::size_t bytes = CPU_ALLOC_SIZE(capacity);
    if (sched_getaffinity(0, bytes, set.get()) != 0) {
      if (errno == EINVAL) continue;
      break;
    }
    std::vector<unsigned> cpus;
    for (int cpu = 0; cpu < capacity; ++cpu) {
      if (CPU_ISSET_S(cpu, bytes, set.get())) cpus.push_back(static_cast<unsigned>(cpu));
    }
    if (!cpus.empty()) return cpus;
    break;
  }
  return all_hardware_threads();
}

std::size_t cpu_budget() {
  return detail::cpu_budget_of(usable_cpus().size());
}

std::size_t detail::cpu_budget_of(std::size_t usable) {
  const std::optional<std::size_t> quota = cgroup_cpu_limit("/");
  return quota ? std::clamp<std::size_t>(*quota, 1, usable) : usable;
}

}  // namespace weft
