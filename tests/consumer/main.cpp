// Built against the installed package by scripts/check-consumer.sh: if this compiles,
// links and prints the right answer, the install tree is usable.
#include <cstdio>

#include <weft/weft.hpp>

namespace {
weft::Task<int> add(int a, int b) {
  co_return a + b;
}
weft::Task<int> run() {
  auto handle = weft::spawn(add(40, 2));
  co_return co_await handle;
}
}  // namespace

int main() {
  weft::Runtime runtime(weft::Config::builder().worker_threads(2).build());
  const int answer = runtime.block_on(run());
  std::printf("consumer: weft answered %d\n", answer);
  return answer == 42 ? 0 : 1;
}
