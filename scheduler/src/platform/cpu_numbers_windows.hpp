#pragma once
// How weft numbers the CPUs of a Windows machine: processor `index` of processor group `group`
// is CPU group * 64 + index, the bit it has in its group's 64-bit affinity mask. On machines
// of one group (up to 64 logical processors) this is the processor's plain number.

#include <cstdint>

namespace weft::platform {

struct CpuNumber {
  std::uint16_t group;
  std::uint8_t index;  // 0..63
};

inline constexpr unsigned kCpusPerGroup = 64;

constexpr CpuNumber cpu_number(unsigned cpu) noexcept {
  return {static_cast<std::uint16_t>(cpu / kCpusPerGroup),
          static_cast<std::uint8_t>(cpu % kCpusPerGroup)};
}

constexpr unsigned cpu_of(std::uint16_t group, unsigned index) noexcept {
  return group * kCpusPerGroup + index;
}

}  // namespace weft::platform
