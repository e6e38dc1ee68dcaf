// A quick throughput measure of the mpsc channels, disabled by default (timing is not a
// correctness check). Run with:
//   weft_channel_tests --gtest_also_run_disabled_tests --gtest_filter='*Throughput*'
// Prints ns per message for 1 and 4 producer tasks feeding one receiving task: wall-clock
// time, and the process's CPU time (all threads), which a loaded machine distorts less.

#include <weft/runtime/mpsc.hpp>
#include <weft/weft.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <vector>

#include "../test_support.hpp"

namespace {

using weft_test::config_with;
using weft_test::wait_for_result;

template <class Tx>
weft::Task<void> produce_unbounded(Tx tx, long count) {
  for (long i = 0; i < count; ++i) tx.send(i);
  co_return;
}

template <class Tx>
weft::Task<void> produce_bounded(Tx tx, long count) {
  for (long i = 0; i < count; ++i) co_await tx.send(i);
}

template <class Rx>
weft::Task<long> consume(Rx rx) {
  long n = 0;
  while (auto v = co_await rx.recv()) n += (*v >= 0);
  co_return n;
}

double cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

struct Cost {
  double wall;
  double cpu;
};

template <bool Bounded>
Cost ns_per_message(int producers, long per_producer, std::size_t workers) {
  weft::Runtime rt(config_with(workers));
  auto run_once = [&] {
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = cpu_ns();
    if constexpr (Bounded) {
      auto [tx, rx] = weft::mpsc::channel<long>(1024);
      auto consumer = rt.spawn(consume(std::move(rx)));
      for (int p = 0; p < producers; ++p) rt.spawn(produce_bounded(tx, per_producer)).detach();
      { auto gone = std::move(tx); }
      EXPECT_EQ(wait_for_result(consumer), producers * per_producer);
    } else {
      auto [tx, rx] = weft::mpsc::unbounded_channel<long>();
      auto consumer = rt.spawn(consume(std::move(rx)));
      for (int p = 0; p < producers; ++p) rt.spawn(produce_unbounded(tx, per_producer)).detach();
      { auto gone = std::move(tx); }
      EXPECT_EQ(wait_for_result(consumer), producers * per_producer);
    }
    const std::chrono::duration<double, std::nano> took = std::chrono::steady_clock::now() - start;
    const double n = static_cast<double>(producers * per_producer);
    return Cost{took.count() / n, (cpu_ns() - cpu_start) / n};
  };
  run_once();  // warm-up: buffers grown, allocator caches filled
  Cost best = run_once();
  for (int i = 0; i < 3; ++i) {
    const Cost c = run_once();
    best = Cost{std::min(best.wall, c.wall), std::min(best.cpu, c.cpu)};
  }
  return best;
}

TEST(MpscThroughput, DISABLED_NsPerMessage) {
  const long total = 1'000'000;
  for (std::size_t workers : {1u, 2u}) {
    for (int producers : {1, 4}) {
      const Cost unbounded = ns_per_message<false>(producers, total / producers, workers);
      const Cost bounded = ns_per_message<true>(producers, total / producers, workers);
      std::printf(
          "workers=%zu producers=%d  unbounded: %6.1f ns/msg wall %6.1f cpu   "
          "bounded(1024): %6.1f ns/msg wall %6.1f cpu\n",
          workers, producers, unbounded.wall, unbounded.cpu, bounded.wall, bounded.cpu);
    }
  }
}

}  // namespace
