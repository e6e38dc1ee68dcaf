// Tasks queued behind a worker that cannot run them: one stuck inside a long poll, as here,
// or one the OS has descheduled. A peer that is busy itself never goes looking for work, so
// without its periodic look at a stalled peer those tasks would wait for the stuck worker.

#include <weft/weft.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "test_support.hpp"

namespace {

using weft::Task;
using weft_test::config_with;
using weft_test::metric_sum;
using weft_test::wait_for_result;
using weft_test::Watchdog;

struct Shared {
  std::atomic<bool> stop{false};
  std::atomic<std::thread::id> yielder_thread{};
  std::atomic<int> children_ran{0};
};

// Always in its worker's queue (it re-queues itself at every yield), so that worker is never
// idle and never steals: the only way it takes another worker's tasks is the stalled-peer look.
Task<void> keep_a_worker_busy(Shared& shared) {
  while (!shared.stop.load()) {
    shared.yielder_thread.store(std::this_thread::get_id());
    co_await weft::yield_now();
  }
}

Task<void> child(Shared& shared) {
  shared.children_ran.fetch_add(1);
  co_return;
}

// Returns whether a child ran while this task held its worker without yielding.
Task<bool> queue_children_then_hold_the_worker(Shared& shared) {
  // Each worker keeps whichever of the two endless tasks it picked up, so once the yielder
  // has run on another thread it stays there.
  const auto placed_by = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    const std::thread::id yielder = shared.yielder_thread.load();
    if (yielder != std::thread::id{} && yielder != std::this_thread::get_id()) break;
    if (std::chrono::steady_clock::now() > placed_by) co_return false;
    co_await weft::yield_now();
  }
  // Spawned here, the children go to this worker's own queue (the last to its LIFO slot).
  constexpr int kChildren = 8;
  std::vector<weft::JoinHandle<void>> children;
  for (int i = 0; i < kChildren; ++i) children.push_back(weft::spawn(child(shared)));
  // A long poll: hold the worker until a child has run elsewhere, or give up (bounded).
  const auto held_until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (shared.children_ran.load() == 0 && std::chrono::steady_clock::now() < held_until) {
    std::this_thread::yield();
  }
  const bool rescued = shared.children_ran.load() > 0;
  for (auto& handle : children) co_await handle;
  co_return rescued;
}

TEST(StalledWorker, ABusyPeerTakesTheTasksQueuedBehindAWorkerStuckInAPoll) {
  const Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  Shared shared;
  auto yielder = rt.spawn(keep_a_worker_busy(shared));
  auto holder = rt.spawn(queue_children_then_hold_the_worker(shared));
  const bool rescued = wait_for_result(holder);
  shared.stop.store(true);
  wait_for_result(yielder);
  EXPECT_TRUE(rescued) << "no child ran while their worker was stuck";
  EXPECT_EQ(shared.children_ran.load(), 8);
  EXPECT_GE(metric_sum(rt, &weft::WorkerMetrics::stalled_peer_steals), 1u);
}

}  // namespace
