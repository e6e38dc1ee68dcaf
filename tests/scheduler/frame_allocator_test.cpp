#include <weft/scheduler/frame_allocator.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <set>
#include <thread>
#include <vector>

#include "frame_allocator_release.hpp"  // scheduler/src: what a memory release calls

namespace {

using weft::detail::frame_allocate;
using weft::detail::frame_deallocate;

TEST(FrameAllocator, BlocksAreUsableAndDistinct) {
  std::vector<void*> blocks;
  std::set<void*> distinct;
  for (std::size_t size : {1u, 63u, 64u, 65u, 200u, 2048u, 2049u, 100000u}) {
    for (int i = 0; i < 50; ++i) {
      void* block = frame_allocate(size);
      std::memset(block, 0xab, size);  // the whole requested size is writable
      blocks.push_back(block);
      distinct.insert(block);
    }
  }
  EXPECT_EQ(distinct.size(), blocks.size());
  std::size_t i = 0;
  for (std::size_t size : {1u, 63u, 64u, 65u, 200u, 2048u, 2049u, 100000u}) {
    for (int n = 0; n < 50; ++n) frame_deallocate(blocks[i++], size);
  }
}

// Producer/consumer: one thread allocates, another frees, over many rounds, with blocks
// checked for corruption. This is the spawn-from-outside pattern; it exercises the shared
// depot that carries the consumer's surplus back to the producer.
TEST(FrameAllocatorStress, CrossThreadAllocateAndFree) {
  constexpr int kRounds = 200;
  constexpr int kPerRound = 1000;
  constexpr std::size_t kSize = 192;
  for (int round = 0; round < kRounds; ++round) {
    std::vector<std::uint64_t*> blocks;
    blocks.reserve(kPerRound);
    for (int i = 0; i < kPerRound; ++i) {
      auto* block = static_cast<std::uint64_t*>(frame_allocate(kSize));
      for (std::size_t w = 0; w < kSize / 8; ++w) block[w] = std::uint64_t(i) * 31 + w;
      blocks.push_back(block);
    }
    std::thread consumer([&] {
      for (int i = 0; i < kPerRound; ++i) {
        for (std::size_t w = 0; w < kSize / 8; ++w) {
          ASSERT_EQ(blocks[i][w], std::uint64_t(i) * 31 + w);
        }
        frame_deallocate(blocks[i], kSize);
      }
    });
    consumer.join();
  }
}

// A memory release (memory_releaser.hpp) empties the depot from its own thread while workers
// exchange batches with it and flush their caches into it. Two threads allocate, check and
// free blocks while one of them flushes its cache now and then and a third keeps releasing the
// depot: every block must stay intact and distinct from the others alive.
TEST(FrameAllocatorStress, ReleasesAndFlushesRaceWithAllocation) {
  constexpr int kRounds = 100;
  constexpr int kPerRound = 1000;
  constexpr std::size_t kSize = 192;
  std::atomic<bool> done{false};
  std::thread releaser([&] {
    while (!done.load()) weft::detail::frame_allocator_release_depot();
  });
  auto churn = [&](std::uint64_t seed, bool flush) {
    for (int round = 0; round < kRounds; ++round) {
      std::vector<std::uint64_t*> blocks;
      blocks.reserve(kPerRound);
      for (int i = 0; i < kPerRound; ++i) {
        auto* block = static_cast<std::uint64_t*>(frame_allocate(kSize));
        for (std::size_t w = 0; w < kSize / 8; ++w) block[w] = seed + std::uint64_t(i) * 31 + w;
        blocks.push_back(block);
      }
      for (int i = 0; i < kPerRound; ++i) {
        for (std::size_t w = 0; w < kSize / 8; ++w) {
          ASSERT_EQ(blocks[i][w], seed + std::uint64_t(i) * 31 + w);
        }
        frame_deallocate(blocks[i], kSize);
      }
      if (flush && round % 10 == 0) weft::detail::frame_allocator_flush_thread_cache();
    }
  };
  std::thread other([&] { churn(1'000'000'007, false); });
  churn(0, true);
  other.join();
  done.store(true);
  releaser.join();
}

}  // namespace
