#include <windows.h>

#include <cstdint>

#include "cpu_numbers_windows.hpp"
#include "cpus.hpp"

namespace weft::platform {

namespace {

void add_mask(std::vector<unsigned>& cpus, std::uint16_t group, KAFFINITY mask) {
  for (unsigned index = 0; index < kCpusPerGroup; ++index) {
    if ((mask >> index) & 1u) cpus.push_back(cpu_of(group, index));
  }
}

}  // namespace

// Windows threads do not inherit their creator's affinity: they start with the process's.
// So the process affinity mask (start /affinity, a job object's affinity limit) is what every
// thread weft starts may use. A process of one processor group (machines with up to 64
// logical processors, and every process before Windows 11) has that mask in
// GetProcessAffinityMask. A process that spans groups has no such mask: it may use every
// active processor of the groups GetProcessGroupAffinity lists.
std::vector<unsigned> affinity_cpus() {
  std::vector<unsigned> cpus;
  USHORT groups[64];
  USHORT group_count = 64;
  if (::GetProcessGroupAffinity(::GetCurrentProcess(), &group_count, groups) && group_count > 1) {
    for (USHORT i = 0; i < group_count; ++i) {
      const DWORD active = ::GetActiveProcessorCount(groups[i]);
      const KAFFINITY all = active >= kCpusPerGroup ? ~KAFFINITY{0} : (KAFFINITY{1} << active) - 1;
      add_mask(cpus, groups[i], all);
    }
    return cpus;
  }
  DWORD_PTR process_mask = 0;
  DWORD_PTR system_mask = 0;
  if (!::GetProcessAffinityMask(::GetCurrentProcess(), &process_mask, &system_mask)) return {};
  const std::uint16_t group = group_count == 1 ? groups[0] : 0;
  add_mask(cpus, group, process_mask);
  return cpus;
}

// A job object's CPU rate limit (JOB_OBJECT_CPU_RATE_CONTROL_HARD_CAP or MIN_MAX_RATE, as
// Windows containers set for --cpus) caps the process's share of the whole machine: a rate
// is in hundredths of a percent of all active processors' time, so 2500 on 8 processors is
// 2 CPUs. The innermost job counts (QueryInformationJobObject with no handle asks for the
// process's own job). Weight-based control is a share under contention, not a cap: ignored.
std::optional<std::size_t> cpu_quota() {
  JOBOBJECT_CPU_RATE_CONTROL_INFORMATION rate{};
  if (!::QueryInformationJobObject(nullptr, JobObjectCpuRateControlInformation, &rate, sizeof rate,
                                   nullptr)) {
    return std::nullopt;  // not in a job, or a system without rate control
  }
  if ((rate.ControlFlags & JOB_OBJECT_CPU_RATE_CONTROL_ENABLE) == 0) return std::nullopt;
  std::uint64_t hundredths = 0;
  if ((rate.ControlFlags & JOB_OBJECT_CPU_RATE_CONTROL_HARD_CAP) != 0) {
    hundredths = rate.CpuRate;
  } else if ((rate.ControlFlags & JOB_OBJECT_CPU_RATE_CONTROL_MIN_MAX_RATE) != 0) {
    hundredths = rate.MaxRate;
  }
  if (hundredths == 0) return std::nullopt;
  const std::uint64_t processors = ::GetActiveProcessorCount(ALL_PROCESSOR_GROUPS);
  if (processors == 0) return std::nullopt;
  constexpr std::uint64_t kWhole = 10000;  // 100.00 % of the machine
  return static_cast<std::size_t>((hundredths * processors + kWhole - 1) / kWhole);
}

}  // namespace weft::platform
