#pragma once
// Helpers shared by the spawn_blocking and compute tests: a gate that holds offloaded jobs
// until the test lets them go, an exception type only a job throws, and the check that a
// timeout around an offloaded job gives up the wait but not the job.

#include <weft/weft.hpp>

#include <atomic>
#include <chrono>
#include <stdexcept>

#include "../test_support.hpp"

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

// `offload(job)` hands `job` to spawn_blocking or compute and returns the handle to await.
template <class Offload>
weft::Task<int> await_gated_job_with_timeout(Offload offload, Gate& gate,
                                             std::atomic<int>& finished) {
  co_return co_await weft::timeout(std::chrono::milliseconds(20), offload([&] {
                                     gate.wait();
                                     bump_and_notify(finished);
                                     return 1;
                                   }));
}

// The job is held by a gate until the timeout has fired; it must still run to its end once
// the gate opens. Returns how many times the job finished.
template <class Offload>
int run_gated_job_past_a_timeout(weft::Runtime& rt, Offload offload) {
  Gate gate;
  std::atomic<int> finished{0};
  EXPECT_THROW(rt.block_on(await_gated_job_with_timeout(offload, gate, finished)),
               weft::TimeoutError);
  gate.open();
  wait_at_least(finished, 1);
  return finished.load();
}

}  // namespace weft_test
