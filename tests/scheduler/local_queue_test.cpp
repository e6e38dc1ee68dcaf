#include <weft/scheduler/detail/local_queue.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace {

struct Item {
  int id;
};

using Queue = weft::detail::LocalQueue<Item, 16>;

TEST(LocalQueue, PopsInFifoOrder) {
  Queue q;
  std::vector<Item> items(10);
  for (int i = 0; i < 10; ++i) {
    items[i].id = i;
    EXPECT_FALSE(q.push_back(&items[i], [](auto) { FAIL() << "no overflow expected"; }));
  }
  EXPECT_EQ(q.size(), 10u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(q.pop()->id, i);
  EXPECT_EQ(q.pop(), nullptr);
  EXPECT_TRUE(q.empty());
}

TEST(LocalQueue, OverflowSpillsHalfPlusTheNewItem) {
  Queue q;
  std::vector<Item> items(17);
  std::vector<int> spilled;
  for (int i = 0; i < 17; ++i) {
    items[i].id = i;
    q.push_back(&items[i], [&](std::span<Item*> batch) {
      for (Item* item : batch) spilled.push_back(item->id);
    });
  }
  // The oldest half (0..7) and the item that did not fit (16) went to the overflow path.
  EXPECT_EQ(spilled, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 16}));
  EXPECT_EQ(q.size(), 8u);
  for (int i = 8; i < 16; ++i) EXPECT_EQ(q.pop()->id, i);
}

TEST(LocalQueue, StealTakesHalfAndReturnsOne) {
  Queue victim;
  Queue thief;
  std::vector<Item> items(10);
  for (int i = 0; i < 10; ++i) {
    items[i].id = i;
    victim.push_back(&items[i], [](auto) {});
  }
  Item* first = victim.steal_into(thief);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(victim.size() + thief.size() + 1, 10u);
  EXPECT_EQ(thief.size() + 1, 5u);
  Queue empty;
  EXPECT_EQ(empty.steal_into(thief), nullptr);
}

// Owner pushes and pops while thieves steal: every item is taken exactly once.
TEST(LocalQueueStress, EveryItemTakenExactlyOnce) {
  constexpr int kItems = 200'000;
  constexpr int kThieves = 3;
  std::vector<Item> items(kItems);
  std::vector<std::atomic<int>> taken(kItems);
  weft::detail::LocalQueue<Item, 256> owner_queue;
  std::atomic<bool> done{false};
  std::atomic<long> overflowed{0};

  auto record = [&](Item* item) { taken[item->id].fetch_add(1, std::memory_order_relaxed); };
  std::vector<std::thread> thieves;
  for (int t = 0; t < kThieves; ++t) {
    thieves.emplace_back([&] {
      weft::detail::LocalQueue<Item, 256> mine;
      while (!done.load(std::memory_order_acquire)) {
        if (Item* item = owner_queue.steal_into(mine)) {
          record(item);
          while (Item* more = mine.pop()) record(more);
        }
      }
    });
  }
  for (int i = 0; i < kItems; ++i) {
    items[i].id = i;
    owner_queue.push_back(&items[i], [&](std::span<Item*> batch) {
      for (Item* item : batch) record(item);
      overflowed.fetch_add(1);
    });
    if (i % 3 == 0) {
      if (Item* item = owner_queue.pop()) record(item);
    }
  }
  while (Item* item = owner_queue.pop()) record(item);
  done.store(true, std::memory_order_release);
  for (auto& t : thieves) t.join();
  for (int i = 0; i < kItems; ++i) ASSERT_EQ(taken[i].load(), 1) << "item " << i;
}

}  // namespace
