// The registration slab: generation-checked tokens, slot reuse, stable storage, and the
// readiness word's tick protocol.
#include <weft/io/detail/registration_slab.hpp>

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

#include "io_test_support.hpp"

namespace {

using namespace weft_io_test;
using weft::io::Readiness;
using weft::io::detail::Registration;
using Slab = weft::io::detail::RegistrationSlab;

TEST(RegistrationSlab, TokensAreDistinctAndResolve) {
  Slab slab;
  std::set<std::uint64_t> tokens;
  std::vector<Slab::Allocation> allocations;
  for (int i = 0; i < 100; ++i) {
    allocations.push_back(slab.allocate());
    tokens.insert(allocations.back().token);
  }
  EXPECT_EQ(tokens.size(), 100u);
  EXPECT_EQ(slab.size(), 100u);
  for (const auto& allocation : allocations) {
    EXPECT_EQ(slab.lookup(allocation.token), allocation.registration);
  }
}

TEST(RegistrationSlab, ReleasedSlotIsReusedWithANewGeneration) {
  Slab slab;
  const auto first = slab.allocate();
  ASSERT_TRUE(slab.release(first.token));
  EXPECT_EQ(slab.lookup(first.token), nullptr) << "a released token must be stale";
  EXPECT_EQ(slab.size(), 0u);

  const auto second = slab.allocate();
  EXPECT_EQ(Slab::index_of(second.token), Slab::index_of(first.token));
  EXPECT_EQ(Slab::generation_of(second.token), Slab::generation_of(first.token) + 1);
  EXPECT_EQ(second.registration, first.registration);
  EXPECT_NE(second.token, first.token);
  EXPECT_EQ(slab.lookup(second.token), second.registration);
  EXPECT_EQ(slab.lookup(first.token), nullptr) << "the old token must stay stale after reuse";
}

TEST(RegistrationSlab, StaleReleaseDoesNotFreeTheNewOwner) {
  Slab slab;
  const auto first = slab.allocate();
  ASSERT_TRUE(slab.release(first.token));
  const auto second = slab.allocate();
  EXPECT_FALSE(slab.release(first.token));
  EXPECT_EQ(slab.lookup(second.token), second.registration);
  EXPECT_EQ(slab.size(), 1u);
}

TEST(RegistrationSlab, UnknownTokensResolveToNothing) {
  Slab slab;
  EXPECT_EQ(slab.lookup(0), nullptr);  // nothing allocated yet
  EXPECT_EQ(slab.lookup(Slab::make_token(5'000'000, 0)), nullptr);
  EXPECT_EQ(slab.lookup(Slab::make_token(0xffff'ffff, 0)), nullptr);
  EXPECT_FALSE(slab.release(Slab::make_token(5'000'000, 0)));
}

TEST(RegistrationSlab, AReusedSlotStartsWithNoReadiness) {
  Slab slab;
  const auto first = slab.allocate();
  first.registration->apply_event(Readiness::readable | Readiness::hang_up);
  ASSERT_TRUE(slab.release(first.token));
  const auto second = slab.allocate();
  EXPECT_EQ(Registration::signals_of(second.registration->readiness.load()), Readiness::none);
}

TEST(RegistrationSlab, ReleaseWakesWaitersAndDropsTheirWakers) {
  Probe reader;
  Probe writer;
  Slab slab;
  const auto allocation = slab.allocate();
  allocation.registration->reader.register_waker(reader.waker());
  allocation.registration->writer.register_waker(writer.waker());
  EXPECT_EQ(reader.refs.load(), 1);
  ASSERT_TRUE(slab.release(allocation.token));
  EXPECT_EQ(reader.wakes.load(), 1);
  EXPECT_EQ(writer.wakes.load(), 1);
  EXPECT_EQ(reader.refs.load(), 0);
  EXPECT_EQ(writer.refs.load(), 0);
}

TEST(RegistrationSlab, DestructionDropsStoredWakersWithoutWaking) {
  Probe probe;
  {
    Slab slab;
    slab.allocate().registration->reader.register_waker(probe.waker());
    EXPECT_EQ(probe.refs.load(), 1);
  }
  EXPECT_EQ(probe.refs.load(), 0);
  EXPECT_EQ(probe.wakes.load(), 0);
}

// Registrations never move: pointers taken early stay valid as the slab grows through many
// chunks.
TEST(RegistrationSlab, StorageIsStableAcrossGrowth) {
  Slab slab;
  std::vector<Slab::Allocation> allocations;
  for (int i = 0; i < 5'000; ++i) allocations.push_back(slab.allocate());
  for (const auto& allocation : allocations) {
    ASSERT_EQ(slab.lookup(allocation.token), allocation.registration);
    ASSERT_EQ(reinterpret_cast<std::uintptr_t>(allocation.registration) % 64, 0u)
        << "registrations are cache-line aligned";
  }
  std::set<const Registration*> distinct;
  for (const auto& allocation : allocations) distinct.insert(allocation.registration);
  EXPECT_EQ(distinct.size(), allocations.size());
}

TEST(RegistrationSlab, ClearOnlyWithTheSnapshotTick) {
  Registration registration;
  registration.apply_event(Readiness::readable);
  const std::uint32_t seen = registration.readiness.load();
  EXPECT_EQ(Registration::signals_of(seen), Readiness::readable);

  // Another edge after the snapshot: the clear must not erase it.
  registration.apply_event(Readiness::readable);
  EXPECT_FALSE(registration.clear(Readiness::readable, Registration::tick_of(seen)));
  EXPECT_EQ(Registration::signals_of(registration.readiness.load()), Readiness::readable);

  // With a fresh snapshot the clear takes, and only removes what it names.
  registration.apply_event(Readiness::writable);
  const std::uint32_t fresh = registration.readiness.load();
  EXPECT_TRUE(registration.clear(Readiness::readable, Registration::tick_of(fresh)));
  EXPECT_EQ(Registration::signals_of(registration.readiness.load()), Readiness::writable);
  EXPECT_EQ(Registration::tick_of(registration.readiness.load()), Registration::tick_of(fresh))
      << "clearing does not advance the tick";
}

TEST(RegistrationSlab, TickWraps) {
  Registration registration;
  for (int i = 0; i < 70'000; ++i) registration.apply_event(Readiness::readable);
  EXPECT_EQ(Registration::tick_of(registration.readiness.load()), 70'000 % 65'536);
}

// Allocate/release on several threads while another thread looks tokens up: lookups never
// block and never return a registration for a token that was released (checked by TSan
// for races and by the generation for correctness).
TEST(RegistrationSlabStress, ConcurrentAllocateReleaseAndLookup) {
  Slab slab;
  std::atomic<bool> done{false};
  std::atomic<std::uint64_t> published{0};
  std::thread reader([&] {
    while (!done.load()) {
      const std::uint64_t token = published.load();
      if (Registration* registration = slab.lookup(token)) {
        registration->apply_event(Readiness::readable);
        registration->reader.take().wake();
      }
    }
  });
  std::vector<std::thread> workers;
  for (int t = 0; t < 3; ++t) {
    workers.emplace_back([&] {
      for (int i = 0; i < 20'000; ++i) {
        const auto allocation = slab.allocate();
        published.store(allocation.token);
        EXPECT_EQ(slab.lookup(allocation.token), allocation.registration);
        EXPECT_TRUE(slab.release(allocation.token));
        EXPECT_EQ(slab.lookup(allocation.token), nullptr);
      }
    });
  }
  for (auto& worker : workers) worker.join();
  done.store(true);
  reader.join();
  EXPECT_EQ(slab.size(), 0u);
}

}  // namespace
