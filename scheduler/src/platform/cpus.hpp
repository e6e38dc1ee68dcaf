#pragma once
// What the system says about the CPUs this process may use, behind one small interface with
// one implementation per platform, picked by scheduler/CMakeLists.txt. weft::usable_cpus() and
// weft::cpu_budget() (usable_cpus.cpp) are built on it.
//
//   cpus_linux.cpp    sched_getaffinity(2) of the calling thread; the cgroup CPU quota
//                     (cgroup_cpu_limit.cpp)
//   cpus_windows.cpp  the process affinity mask of every processor group; the CPU rate limit
//                     of the job object the process runs in (what a container's --cpus sets)

#include <cstddef>
#include <optional>
#include <vector>

namespace weft::platform {

// The CPU numbers the calling thread may run on, increasing; empty if the system will not say.
std::vector<unsigned> affinity_cpus();

// The CPUs' worth of time the process may use at once, rounded up, when something limits it
// below what its affinity allows; nullopt when nothing does (or it cannot be read).
std::optional<std::size_t> cpu_quota();

}  // namespace weft::platform
