#pragma once
// NarrowedAffinity: restricts the CPUs the runtime's threads may use for its lifetime, then
// restores them. Tests use it to give a runtime a CPU budget of one or two CPUs. One
// implementation per platform (tests/CMakeLists.txt picks the file):
//
//   narrowed_affinity_linux.cpp    the calling thread's mask (sched_setaffinity), which the
//                                  threads it starts inherit
//   narrowed_affinity_windows.cpp  the process's mask (SetProcessAffinityMask): Windows threads
//                                  start with the process's mask, not their creator's
//
// CPU numbers are weft::usable_cpus()'s.

#include <vector>

namespace weft_test {

class NarrowedAffinity {
 public:
  explicit NarrowedAffinity(const std::vector<unsigned>& cpus);
  NarrowedAffinity(const NarrowedAffinity&) = delete;
  NarrowedAffinity& operator=(const NarrowedAffinity&) = delete;
  ~NarrowedAffinity();

 private:
  std::vector<unsigned> saved_;
};

// The CPUs the calling thread may run on now, increasing.
std::vector<unsigned> affinity_of_this_thread();

}  // namespace weft_test
