#include "narrowed_affinity.hpp"

#include <gtest/gtest.h>

#include <windows.h>

namespace weft_test {

namespace {

// Processes of one processor group (every machine CI runs on): CPU n is bit n of the mask.
DWORD_PTR to_mask(const std::vector<unsigned>& cpus) {
  DWORD_PTR mask = 0;
  for (const unsigned cpu : cpus) mask |= DWORD_PTR{1} << cpu;
  return mask;
}

std::vector<unsigned> to_cpus(KAFFINITY mask, unsigned first) {
  std::vector<unsigned> cpus;
  for (unsigned bit = 0; bit < 64; ++bit) {
    if ((mask >> bit) & 1u) cpus.push_back(first + bit);
  }
  return cpus;
}

std::vector<unsigned> process_cpus() {
  DWORD_PTR process = 0;
  DWORD_PTR system = 0;
  EXPECT_TRUE(::GetProcessAffinityMask(::GetCurrentProcess(), &process, &system));
  return to_cpus(process, 0);
}

}  // namespace

std::vector<unsigned> affinity_of_this_thread() {
  GROUP_AFFINITY affinity{};
  EXPECT_TRUE(::GetThreadGroupAffinity(::GetCurrentThread(), &affinity));
  return to_cpus(affinity.Mask, affinity.Group * 64u);
}

NarrowedAffinity::NarrowedAffinity(const std::vector<unsigned>& cpus) : saved_(process_cpus()) {
  EXPECT_TRUE(::SetProcessAffinityMask(::GetCurrentProcess(), to_mask(cpus)));
}

NarrowedAffinity::~NarrowedAffinity() {
  ::SetProcessAffinityMask(::GetCurrentProcess(), to_mask(saved_));
}

}  // namespace weft_test
