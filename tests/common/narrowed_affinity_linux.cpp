#include "narrowed_affinity.hpp"

#include <gtest/gtest.h>

#include <sched.h>

namespace weft_test {

namespace {

cpu_set_t to_set(const std::vector<unsigned>& cpus) {
  cpu_set_t set;
  CPU_ZERO(&set);
  for (const unsigned cpu : cpus) CPU_SET(cpu, &set);
  return set;
}

}  // namespace

std::vector<unsigned> affinity_of_this_thread() {
  cpu_set_t set;
  CPU_ZERO(&set);
  EXPECT_EQ(sched_getaffinity(0, sizeof set, &set), 0);
  std::vector<unsigned> cpus;
  for (unsigned cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
  }
  return cpus;
}

NarrowedAffinity::NarrowedAffinity(const std::vector<unsigned>& cpus)
    : saved_(affinity_of_this_thread()) {
  const cpu_set_t narrowed = to_set(cpus);
  EXPECT_EQ(sched_setaffinity(0, sizeof narrowed, &narrowed), 0);
}

NarrowedAffinity::~NarrowedAffinity() {
  const cpu_set_t saved = to_set(saved_);
  sched_setaffinity(0, sizeof saved, &saved);
}

}  // namespace weft_test
