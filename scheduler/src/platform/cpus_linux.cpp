#include <sched.h>

#include <cerrno>
#include <memory>

#include <weft/scheduler/usable_cpus.hpp>

#include "cpus.hpp"

namespace weft::platform {

namespace {

struct CpuSetDeleter {
  void operator()(cpu_set_t* set) const noexcept { CPU_FREE(set); }
};
using CpuSetPtr = std::unique_ptr<cpu_set_t, CpuSetDeleter>;

}  // namespace

std::vector<unsigned> affinity_cpus() {
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
    return cpus;
  }
  return {};
}

std::optional<std::size_t> cpu_quota() {
  return detail::cgroup_cpu_limit("/");
}

}  // namespace weft::platform
