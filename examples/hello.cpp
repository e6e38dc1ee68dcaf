// The smallest useful weft program: a runtime, a few tasks spawned in parallel, their
// results joined. Run it with WEFT_WORKER_THREADS=4 to change the worker count; a bad value
// (WEFT_WORKER_THREADS=0) is reported on one line with exit status 1.

#include <cstdio>
#include <vector>

#include <weft/weft.hpp>

#include "run_or_report.hpp"

namespace {

weft::Task<long> sum_of_squares(long from, long to) {
  long total = 0;
  for (long i = from; i < to; ++i) {
    total += i * i;
    if (i % 100'000 == 0) co_await weft::yield_now();  // be a good neighbour
  }
  co_return total;
}

weft::Task<long> parallel_sum(long n, int parts) {
  std::vector<weft::JoinHandle<long>> handles;
  for (int p = 0; p < parts; ++p) {
    handles.push_back(weft::spawn(sum_of_squares(n * p / parts, n * (p + 1) / parts)));
  }
  long total = 0;
  for (auto& handle : handles) total += co_await handle;
  co_return total;
}

}  // namespace

int main() {
  return weft_examples::run_or_report("hello", [] {
    weft::Runtime runtime;  // worker_threads etc. from the defaults and WEFT_* variables
    const long result = runtime.block_on(parallel_sum(1'000'000, 8));
    std::printf("sum of squares below 1e6 = %ld on %zu workers\n", result, runtime.worker_count());
  });
}
