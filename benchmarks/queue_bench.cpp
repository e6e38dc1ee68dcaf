// Micro-benchmarks of a worker's local run queue, weft::detail::LocalQueue<T, 256>: the
// owner's push + pop, a steal of half the queue, and an owner and a thief contending.

#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>

#include <weft/scheduler/detail/local_queue.hpp>

namespace {

struct Item {
  std::uint64_t value = 0;
};

using Queue = weft::detail::LocalQueue<Item, 256>;

Item g_items[Queue::capacity];

// The overflow path (the shared inbox in the scheduler); here it only counts.
struct CountOverflow {
  std::uint64_t* count;
  void operator()(std::span<Item*> batch) const { *count += batch.size(); }
};

// Owner: push one task and pop it again (the common spawn-then-run path).
void BM_LocalQueue_PushPop(benchmark::State& state) {
  auto queue = std::make_unique<Queue>();
  std::uint64_t overflowed = 0;
  for (auto _ : state) {
    queue->push_back(&g_items[0], CountOverflow{&overflowed});
    benchmark::DoNotOptimize(queue->pop());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["overflowed"] = static_cast<double>(overflowed);
}
BENCHMARK(BM_LocalQueue_PushPop);

// Owner: push N tasks, then pop them all. The baseline for StealHalf below.
void BM_LocalQueue_FillDrain(benchmark::State& state) {
  auto queue = std::make_unique<Queue>();
  const auto n = static_cast<std::uint32_t>(state.range(0));
  std::uint64_t overflowed = 0;
  for (auto _ : state) {
    for (std::uint32_t i = 0; i < n; ++i) queue->push_back(&g_items[i], CountOverflow{&overflowed});
    while (Item* item = queue->pop()) benchmark::DoNotOptimize(item);
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.counters["overflowed"] = static_cast<double>(overflowed);
}
BENCHMARK(BM_LocalQueue_FillDrain)->Arg(8)->Arg(64)->Arg(256);

// Push N tasks, a thief steals half into its own queue, both sides drain: FillDrain plus
// one uncontended steal_into.
void BM_LocalQueue_StealHalf(benchmark::State& state) {
  auto victim = std::make_unique<Queue>();
  auto thief = std::make_unique<Queue>();
  const auto n = static_cast<std::uint32_t>(state.range(0));
  std::uint64_t overflowed = 0;
  std::uint64_t stolen = 0;
  for (auto _ : state) {
    for (std::uint32_t i = 0; i < n; ++i) {
      victim->push_back(&g_items[i], CountOverflow{&overflowed});
    }
    if (Item* first = victim->steal_into(*thief)) {
      benchmark::DoNotOptimize(first);
      ++stolen;
    }
    while (Item* item = thief->pop()) {
      benchmark::DoNotOptimize(item);
      ++stolen;
    }
    while (Item* item = victim->pop()) benchmark::DoNotOptimize(item);
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.counters["stolen_per_iter"] =
      benchmark::Counter(static_cast<double>(stolen), benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_LocalQueue_StealHalf)->Arg(8)->Arg(64)->Arg(256);

// Two threads: thread 0 owns the queue and pushes/pops 8 tasks at a time; thread 1 is a
// thief that keeps stealing half into its own queue and draining it. Measures the CAS
// traffic on the head word when a worker is being stolen from.
std::unique_ptr<Queue> g_contended;

void BM_LocalQueue_OwnerVsThief(benchmark::State& state) {
  if (state.thread_index() == 0) g_contended = std::make_unique<Queue>();
  // (Benchmark threads meet at a barrier before the loop, so the thief sees the queue.)
  Queue own;
  std::uint64_t overflowed = 0;
  std::uint64_t taken = 0;
  for (auto _ : state) {
    if (state.thread_index() == 0) {
      for (std::uint32_t i = 0; i < 8; ++i) {
        g_contended->push_back(&g_items[i], CountOverflow{&overflowed});
      }
      while (Item* item = g_contended->pop()) {
        benchmark::DoNotOptimize(item);
        ++taken;
      }
    } else {
      if (Item* first = g_contended->steal_into(own)) {
        benchmark::DoNotOptimize(first);
        ++taken;
      }
      while (Item* item = own.pop()) {
        benchmark::DoNotOptimize(item);
        ++taken;
      }
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(taken));
  state.counters[state.thread_index() == 0 ? "owner_items" : "stolen_items"] =
      static_cast<double>(taken);
}
BENCHMARK(BM_LocalQueue_OwnerVsThief)->Threads(2)->UseRealTime();

}  // namespace
