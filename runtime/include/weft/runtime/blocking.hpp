#pragma once
// weft::spawn_blocking: run blocking code (file IO, a C library that sleeps, a mutex held for
// long) on a pool of threads apart from the workers, and co_await its result.
//
//   weft::Task<std::string> load(std::string path) {
//     auto handle = weft::spawn_blocking([path] { return read_whole_file(path); });
//     co_return co_await handle;   // bind first: g++ 12 double-destroys a lambda temporary's
//   }                              // captures inside co_await (docs/blocking-and-compute.md)
//   auto handle = rt.spawn_blocking([] { return 42; });   // from any thread
//   int v = weft::block_on_future(handle);                // a plain thread may wait on it
//
// The pool starts a thread for a job when none is idle, up to Config::max_blocking_threads;
// beyond that jobs wait in FIFO order. A thread idle for Config::blocking_keep_alive exits.
// The handle (OffloadHandle<T>) yields the callable's result or rethrows its exception;
// dropping it detaches the job, which still runs. At runtime shutdown the jobs not started
// are dropped (their handles throw TaskCancelled) and the running ones are waited for:
// blocking code cannot be interrupted, so a job that never returns keeps the Runtime's
// destructor waiting. docs/blocking-and-compute.md has the details.

#include <stdexcept>
#include <utility>

#include <weft/runtime/offload_handle.hpp>
#include <weft/runtime/runtime.hpp>

namespace weft {

// spawn_blocking on the runtime of the calling worker thread. Throws std::logic_error on a
// thread that is not a worker (a blocking-pool thread included): use Runtime::spawn_blocking.
template <class Fn>
requires detail::Offloadable<Fn>
auto spawn_blocking(Fn&& fn) {
  Runtime* runtime = Runtime::current();
  if (runtime == nullptr) {
    throw std::logic_error(
        "weft::spawn_blocking() called outside a runtime; use Runtime::spawn_blocking()");
  }
  return runtime->spawn_blocking(std::forward<Fn>(fn));
}

}  // namespace weft
