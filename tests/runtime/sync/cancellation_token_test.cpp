// weft::CancellationToken: shared state across copies, waiting for cancellation, the token
// tree (parent to children, never upwards, born cancelled), dropped children do not
// accumulate, DropGuard, cancellation of a waiting cancelled() future, timeout, and a stress
// test of children coming and going while the parent is cancelled from a plain thread.

#include <weft/runtime/sync/cancellation_token.hpp>
#include <weft/weft.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "../../common/process_memory.hpp"
#include "sync_test_support.hpp"

namespace {

using weft_sync_test::observed;
using weft_test::config_with;
using weft_test::wait_at_least;
using weft_test::wait_for_result;
using weft_test::Watchdog;

TEST(CancellationToken, CopiesShareOneState) {
  weft::CancellationToken token;
  weft::CancellationToken copy = token;
  EXPECT_TRUE(copy == token);
  EXPECT_FALSE(weft::CancellationToken() == token);
  EXPECT_FALSE(token.is_cancelled());
  copy.cancel();
  EXPECT_TRUE(token.is_cancelled());
  token.cancel();  // idempotent
  EXPECT_TRUE(copy.is_cancelled());
  auto done = token.cancelled();
  wait_for_result(done);  // ready at once
}

weft::Task<int> wait_cancelled(weft::CancellationToken token, int id, std::atomic<int>* queued) {
  co_await observed(token.cancelled(), queued);
  co_return id;
}

TEST(CancellationToken, CancelWakesEveryWaiter) {
  for (std::size_t workers : {1u, 2u, 4u}) {
    Watchdog watchdog;
    weft::Runtime rt(config_with(workers));
    weft::CancellationToken token;
    std::atomic<int> queued{0};
    std::vector<weft::JoinHandle<int>> handles;
    for (int i = 0; i < 5; ++i) {
      handles.push_back(rt.spawn(wait_cancelled(token, i, &queued)));
      wait_at_least(queued, i + 1);
    }
    for (auto& handle : handles) EXPECT_FALSE(handle.is_finished());
    token.cancel();  // from a plain thread
    for (int i = 0; i < 5; ++i) EXPECT_EQ(wait_for_result(handles[i]), i);
  }
}

TEST(CancellationToken, ChildrenFollowTheParentButNotTheOtherWay) {
  weft::CancellationToken root;
  auto child = root.child_token();
  auto sibling = root.child_token();
  auto grandchild = child.child_token();
  EXPECT_FALSE(child == root);

  child.cancel();
  EXPECT_TRUE(child.is_cancelled());
  EXPECT_TRUE(grandchild.is_cancelled()) << "cancelled with its parent";
  EXPECT_FALSE(root.is_cancelled()) << "a child never cancels its parent";
  EXPECT_FALSE(sibling.is_cancelled());

  auto late = sibling.child_token().child_token();
  root.cancel();
  EXPECT_TRUE(sibling.is_cancelled());
  EXPECT_TRUE(late.is_cancelled()) << "transitively";
  EXPECT_TRUE(root.child_token().is_cancelled()) << "born cancelled from a cancelled parent";
}

weft::Task<int> wait_on_temporary_child(weft::CancellationToken parent, std::atomic<int>* queued) {
  // The child token is a temporary: the future must keep its state alive by itself.
  co_await observed(parent.child_token().cancelled(), queued);
  co_return 1;
}

TEST(CancellationToken, ParentCancellationWakesWaitersOnChildren) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  weft::CancellationToken root;
  std::atomic<int> queued{0};
  auto child = root.child_token();
  auto a = rt.spawn(wait_cancelled(child.child_token(), 7, &queued));
  wait_at_least(queued, 1);
  auto b = rt.spawn(wait_on_temporary_child(root, &queued));
  wait_at_least(queued, 2);
  root.cancel();
  EXPECT_EQ(wait_for_result(a), 7);
  EXPECT_EQ(wait_for_result(b), 1);
}

using weft_test::heap_in_use;

TEST(CancellationToken, DroppedChildrenDoNotAccumulate) {
  weft::CancellationToken root;
  auto keep = root.child_token();
  const int batch = 2000 * weft_test::kScale;
  for (int i = 0; i < batch; ++i) (void)root.child_token();  // warm up the allocator
  const std::size_t before = heap_in_use();
  for (int round = 0; round < 10; ++round) {
    for (int i = 0; i < batch; ++i) {
      auto child = root.child_token();
      auto grandchild = child.child_token();
      (void)grandchild;
    }
  }
  const std::size_t after = heap_in_use();
  // Sanitizers replace malloc, so the heap figure is only meaningful in plain builds;
  // there, a leaked list entry per child would show as hundreds of kilobytes.
  if (!weft_test::kThreadSanitizer && !weft_test::kAddressSanitizer) {
    EXPECT_LT(after, before + 64 * 1024) << "children dropped long ago still take memory";
  }
  // The parent must not reach a dropped child when it is cancelled (ASan would report it).
  root.cancel();
  EXPECT_TRUE(keep.is_cancelled());
}

TEST(CancellationToken, DropGuardCancelsUnlessDisarmed) {
  weft::CancellationToken token;
  { auto guard = token.drop_guard(); }
  EXPECT_TRUE(token.is_cancelled());

  weft::CancellationToken kept;
  {
    auto guard = kept.drop_guard();
    weft::CancellationToken back = guard.disarm();
    EXPECT_TRUE(back == kept);
  }
  EXPECT_FALSE(kept.is_cancelled());

  weft::CancellationToken moved;
  {
    auto guard = moved.drop_guard();
    auto other = std::move(guard);
    { auto gone = std::move(other); }
    EXPECT_TRUE(moved.is_cancelled()) << "the guard moved last cancels";
  }
}

TEST(CancellationToken, AbortedWaiterLeavesTheTokenConsistent) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  weft::CancellationToken token;
  std::atomic<int> queued{0};
  auto a = rt.spawn(wait_cancelled(token, 1, &queued));
  wait_at_least(queued, 1);
  auto b = rt.spawn(wait_cancelled(token, 2, &queued));
  wait_at_least(queued, 2);
  a.abort();
  EXPECT_THROW(wait_for_result(a), weft::TaskCancelled);
  token.cancel();  // must not touch the destroyed waiter (ASan) and must still wake b
  EXPECT_EQ(wait_for_result(b), 2);
}

weft::Task<int> cancelled_within(weft::CancellationToken token) {
  return weft_sync_test::completes_within_20ms([token] { return token.cancelled(); });
}

TEST(CancellationToken, TimeoutAroundAWait) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  weft::CancellationToken token;
  EXPECT_EQ(rt.block_on(cancelled_within(token)), 0);
  token.cancel();
  EXPECT_EQ(rt.block_on(cancelled_within(token)), 1);
}

weft::Task<int> churn_children(weft::CancellationToken root, std::atomic<int>* started) {
  weft_test::bump_and_notify(*started);
  int created = 0;
  for (;;) {
    auto child = root.child_token();
    ++created;
    if (child.is_cancelled()) co_return created;  // born cancelled: the root is gone
    if (created % 4 == 0) {
      co_await child.cancelled();  // wait for the root's cancellation on this child
      co_return created;
    }
    co_await weft::yield_now();
  }
}

TEST(CancellationToken, StressChildrenComeAndGoWhileTheParentIsCancelled) {
  for (std::size_t workers : {1u, 2u, 4u}) {
    Watchdog watchdog;
    weft::Runtime rt(config_with(workers));
    for (int round = 0; round < 10 * weft_test::kScale; ++round) {
      weft::CancellationToken root;
      std::atomic<int> started{0};
      std::vector<weft::JoinHandle<int>> handles;
      for (int i = 0; i < 6; ++i) handles.push_back(rt.spawn(churn_children(root, &started)));
      wait_at_least(started, 6);
      std::thread canceller([root]() mutable { root.cancel(); });
      canceller.join();
      for (auto& handle : handles) EXPECT_GT(wait_for_result(handle), 0);
      EXPECT_TRUE(root.child_token().is_cancelled());
    }
  }
}

}  // namespace
