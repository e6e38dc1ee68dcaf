#pragma once
// NarrowedAffinity: restricts the calling thread's CPU affinity mask for its lifetime (threads
// it starts, a runtime's workers among them, inherit the narrowed mask), then restores it.
// Tests use it to give a runtime a CPU budget of one or two CPUs.

#include <gtest/gtest.h>

#include <sched.h>

#include <vector>

namespace weft_test {

class NarrowedAffinity {
 public:
  explicit NarrowedAffinity(const std::vector<unsigned>& cpus) {
    CPU_ZERO(&saved_);
    EXPECT_EQ(sched_getaffinity(0, sizeof saved_, &saved_), 0);
    cpu_set_t narrowed;
    CPU_ZERO(&narrowed);
    for (unsigned cpu : cpus) CPU_SET(cpu, &narrowed);
    EXPECT_EQ(sched_setaffinity(0, sizeof narrowed, &narrowed), 0);
  }
  NarrowedAffinity(const NarrowedAffinity&) = delete;
  NarrowedAffinity& operator=(const NarrowedAffinity&) = delete;
  ~NarrowedAffinity() { sched_setaffinity(0, sizeof saved_, &saved_); }

 private:
  cpu_set_t saved_;
};

}  // namespace weft_test
