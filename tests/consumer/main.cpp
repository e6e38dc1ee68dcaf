// Built against the installed package by scripts/check-consumer.sh: if this compiles,
// links and prints the right answer, the install tree is usable (the umbrella header, the
// channels, the sync primitives, the combinators and the blocking pool included).
#include <cstdio>

#include <weft/weft.hpp>

namespace {
weft::Task<int> add(int a, int b) {
  co_return a + b;
}

weft::Task<void> produce(weft::mpsc::Sender<int> tx, weft::Mutex<int>& total) {
  for (int i = 1; i <= 4; ++i) {
    co_await tx.send(i);
    auto guard = co_await total.lock();
    *guard += i;
  }
}

weft::Task<int> run() {
  auto handle = weft::spawn(add(40, 2));
  auto [tx, rx] = weft::mpsc::channel<int>(2);
  weft::Mutex<int> total(0);
  auto producer = weft::spawn(produce(std::move(tx), total));
  int received = 0;
  while (auto value = co_await rx.recv()) received += *value;
  co_await producer;
  auto offloaded = weft::spawn_blocking([] { return 1; });
  auto [answer, blocking] = co_await weft::when_all(std::move(handle), std::move(offloaded));
  auto guard = co_await total.lock();
  const int locked_total = *guard;
  co_return (received == 10 && locked_total == 10 && blocking == 1) ? answer : -1;
}
}  // namespace

int main() {
  weft::Runtime runtime(weft::Config::builder().worker_threads(2).build());
  const int answer = runtime.block_on(run());
  std::printf("consumer: weft answered %d\n", answer);
  return answer == 42 ? 0 : 1;
}
