#pragma once
// Helpers shared by the spawn_blocking and compute tests: a gate that holds offloaded jobs
// until the test lets them go, and an exception type only a job throws.

#include <atomic>
#include <stdexcept>

namespace weft_test {

// A one-way gate that offloaded jobs wait on and the test opens.
class Gate {
 public:
  void open() {
    open_.store(1, std::memory_order_release);
    open_.notify_all();
  }
  void wait() const { open_.wait(0, std::memory_order_acquire); }

 private:
  std::atomic<int> open_{0};
};

// Thrown by a job, so that a test can tell the job's exception from any other.
class Failure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace weft_test
