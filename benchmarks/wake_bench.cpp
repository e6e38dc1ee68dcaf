// Waking a task from a foreign thread: the benchmark's own thread (a plain thread, not a
// worker) sends on a oneshot that a task parked on the runtime awaits; the task replies on
// a second oneshot that the thread waits for with weft::block_on_future. One iteration is
// that round trip: a wake pushed into the runtime from outside (usually unparking an idle
// worker) and a wake back to a parked plain thread, plus two oneshot allocations.

#include <benchmark/benchmark.h>

#include <optional>
#include <utility>

#include <weft/weft.hpp>

namespace {

// One request: where to reply, and the channel the next request will come on.
struct Round {
  weft::oneshot::Sender<int> reply;
  weft::oneshot::Receiver<Round> next;
};

// Answers every request until the foreign thread drops the sender of the next one.
weft::Task<void> echo(weft::oneshot::Receiver<Round> requests) {
  for (;;) {
    std::optional<Round> round;
    try {
      round.emplace(co_await requests);
    } catch (const weft::ChannelClosed&) {
      co_return;
    }
    round->reply.send(1);
    requests = std::move(round->next);
  }
}

void BM_WakeFromForeignThread(benchmark::State& state) {
  weft::Runtime runtime(
      weft::Config::builder().worker_threads(static_cast<std::size_t>(state.range(0))).build());
  auto [first_tx, first_rx] = weft::oneshot::channel<Round>();
  std::optional<weft::oneshot::Sender<Round>> requests(std::move(first_tx));
  weft::JoinHandle<void> task = runtime.spawn(echo(std::move(first_rx)));

  for (auto _ : state) {
    auto [next_tx, next_rx] = weft::oneshot::channel<Round>();
    auto [reply_tx, reply_rx] = weft::oneshot::channel<int>();
    requests->send(Round{std::move(reply_tx), std::move(next_rx)});
    requests.emplace(std::move(next_tx));
    benchmark::DoNotOptimize(weft::block_on_future(reply_rx));
  }

  requests.reset();  // closes the channel: the task returns
  weft::block_on_future(task);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_WakeFromForeignThread)->ArgName("workers")->Arg(1)->Arg(2)->UseRealTime();

}  // namespace
