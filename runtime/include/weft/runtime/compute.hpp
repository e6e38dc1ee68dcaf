#pragma once
// weft::compute: run CPU-heavy work in the runtime's oneTBB arena, off the workers, and
// co_await its result. The callable may itself use oneTBB's parallel algorithms, which then
// share the arena's threads.
//
//   weft::Task<double> total(const std::vector<double>& xs) {
//     co_return co_await weft::compute([&xs] {
//       return tbb::parallel_reduce(tbb::blocked_range<std::size_t>(0, xs.size()), 0.0,
//           [&](auto r, double acc) { for (auto i = r.begin(); i != r.end(); ++i) acc += xs[i];
//                                     return acc; }, std::plus<>());
//     });
//   }
//
// The arena's maximum concurrency is Config::compute_threads (0: oneTBB's default, the
// number of CPUs). Its threads are oneTBB's, never weft's workers: the awaiting task is
// suspended and its worker runs other tasks meanwhile. Jobs start in FIFO order. The handle
// (OffloadHandle<T>) yields the result or rethrows the exception; dropping it detaches the
// job. At runtime shutdown jobs not started are dropped (TaskCancelled) and running ones are
// waited for. docs/blocking-and-compute.md has the details.

#include <stdexcept>
#include <utility>

#include <weft/runtime/offload_handle.hpp>
#include <weft/runtime/runtime.hpp>

namespace weft {

// compute on the runtime of the calling worker thread. Throws std::logic_error on a thread
// that is not a worker: use Runtime::compute there.
template <class Fn>
requires detail::Offloadable<Fn>
auto compute(Fn&& fn) {
  Runtime* runtime = Runtime::current();
  if (runtime == nullptr) {
    throw std::logic_error("weft::compute() called outside a runtime; use Runtime::compute()");
  }
  return runtime->compute(std::forward<Fn>(fn));
}

}  // namespace weft
