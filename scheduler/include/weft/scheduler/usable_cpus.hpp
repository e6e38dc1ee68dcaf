#pragma once
// usable_cpus(): the CPUs the calling thread may run on, as the kernel's affinity mask says
// (taskset, numactl, a container's cpuset). A process pinned to fewer CPUs than the machine
// has gets that many workers by default, its pinned workers stay inside the mask, and its
// workers know whether a peer can run beside them (see Worker::spin_for_work).

#include <vector>

namespace weft {

// CPU numbers in increasing order, never empty. Falls back to 0..hardware_concurrency()-1
// (or {0}) if the mask cannot be read.
std::vector<unsigned> usable_cpus();

}  // namespace weft
