#pragma once
// usable_cpus(): the CPUs the calling thread may run on, as the kernel's affinity mask says
// (taskset, numactl, a container's cpuset). cpu_budget(): how many of them the process may
// keep busy at once, which a cgroup CPU quota (a container's CPU limit) can lower. A process
// limited either way gets that many workers by default, its pinned workers stay inside the
// mask, and its workers know whether they leave a CPU free to spin on (see Worker::spin_for_work).

#include <cstddef>
#include <filesystem>
#include <optional>
#include <vector>

namespace weft {

// CPU numbers in increasing order, never empty. Falls back to 0..hardware_concurrency()-1
// (or {0}) if the mask cannot be read.
std::vector<unsigned> usable_cpus();

// usable_cpus().size(), lowered to the cgroup CPU quota when one is set (cgroup v2 `cpu.max`,
// or v1 `cpu.cfs_quota_us` / `cpu.cfs_period_us`, on this process's cgroup or any ancestor),
// rounded up: a quota of 1.5 CPUs gives 2. At least 1.
std::size_t cpu_budget();

namespace detail {
// The quota part of cpu_budget(), in CPUs rounded up, or nullopt when no quota applies or the
// files cannot be read. Reads <root>/proc/self/{cgroup,mountinfo} and the cgroup files under
// <root>; `root` is "/" except in tests.
std::optional<std::size_t> cgroup_cpu_limit(const std::filesystem::path& root);
// cpu_budget() for a mask of `usable` CPUs already read, so a caller that needs both the mask
// and the budget reads the mask once.
std::size_t cpu_budget_of(std::size_t usable);
}  // namespace detail

}  // namespace weft
