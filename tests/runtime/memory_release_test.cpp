// Memory that a busy spell freed goes back to the operating system once the workers go idle
// (Config::memory_release_interval), instead of staying resident at the peak.

#include <weft/weft.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <cstring>
#include <memory>
#include <vector>

#include "../common/process_memory.hpp"
#include "../common/under_wine.hpp"
#include "test_support.hpp"

namespace {

using namespace std::chrono_literals;
using weft_test::eventually;
using weft_test::kAddressSanitizer;
using weft_test::kThreadSanitizer;
using weft_test::Watchdog;

constexpr std::size_t kMiB = 1024 * 1024;
constexpr std::size_t kLargeBlock = 32 * 1024;  // below glibc's mmap threshold: heap memory
constexpr std::size_t kLargeBlocks = 4096;      // 128 MiB in all

using weft_test::resident_bytes;

using Blocks = std::vector<std::unique_ptr<char[]>>;

// On a worker: allocates and touches kLargeBlocks large blocks, each followed by a small one,
// records the resident size at the peak, then frees the large blocks and returns the small
// ones. Every freed block then lies between two live ones, in the middle of the heap, where
// the C heap does not give memory back by itself (only from the top).
weft::Task<Blocks> leave_freed_memory_in_the_heap(std::size_t& peak) {
  Blocks large;
  Blocks small;
  large.reserve(kLargeBlocks);
  small.reserve(kLargeBlocks);
  for (std::size_t i = 0; i < kLargeBlocks; ++i) {
    large.push_back(std::make_unique_for_overwrite<char[]>(kLargeBlock));
    std::memset(large.back().get(), 1, kLargeBlock);
    small.push_back(std::make_unique<char[]>(64));
  }
  peak = resident_bytes();
  large.clear();
  co_return small;
}

TEST(MemoryRelease, MemoryFreedByABusySpellGoesBackOnceTheWorkersIdle) {
  if (weft_test::running_under_wine()) GTEST_SKIP() << weft_test::kWineKeepsFreedHeap;
  if (kAddressSanitizer || kThreadSanitizer) {
    GTEST_SKIP() << "the sanitizers' allocators hold freed memory in their own pools";
  }
  const Watchdog watchdog;
  weft::Runtime rt(
      weft::Config::builder().from_env().worker_threads(2).memory_release_interval(20ms).build());
  const std::size_t before = resident_bytes();
  std::size_t peak = 0;
  const Blocks kept = rt.block_on(leave_freed_memory_in_the_heap(peak));
  ASSERT_GE(peak, before + 100 * kMiB) << "the spike did not happen";
  // Each freed 32 KiB block has at least 28 KiB of whole pages to give back: 112 MiB.
  const bool released = eventually([&] { return resident_bytes() + 64 * kMiB < peak; }, 10s);
  EXPECT_TRUE(released) << "resident " << resident_bytes() / kMiB << " MiB, peak " << peak / kMiB
                        << " MiB, before " << before / kMiB << " MiB";
}

}  // namespace
