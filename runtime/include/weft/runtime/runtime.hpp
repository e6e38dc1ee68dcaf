#pragma once
// weft::Runtime: owns the worker threads and runs tasks on them.
//
//   weft::Runtime rt;                                  // Config::from_env()
//   int v = rt.block_on(compute());                    // from main: run a task, wait for it
//   auto handle = rt.spawn(serve(listener));           // from anywhere: run in background
//
// Destroying the Runtime (or shutdown()) stops the workers, cancels every task that has
// not completed (destroying its coroutine frame) and joins every thread.

#include <chrono>
#include <memory>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

#include <weft/io/reactor.hpp>
#include <weft/runtime/config.hpp>
#include <weft/runtime/detail/task_cell.hpp>
#include <weft/runtime/join_handle.hpp>
#include <weft/runtime/offload_handle.hpp>
#include <weft/runtime/task.hpp>
#include <weft/scheduler/metrics.hpp>
#include <weft/scheduler/scheduler.hpp>
#include <weft/scheduler/thread_waker.hpp>

namespace weft {

namespace detail {
// What spawn() runs for a given argument: a Task is driven by a RootTask; a Future runs
// as it is.
template <class F>
struct spawned_future {
  using type = std::remove_cvref_t<F>;
};
template <class T>
struct spawned_future<Task<T>> {
  using type = RootTask<T>;
};
template <class F>
using spawned_future_t = typename spawned_future<std::remove_cvref_t<F>>::type;

template <class F>
concept Spawnable = is_task<std::remove_cvref_t<F>>::value || Future<std::remove_cvref_t<F>>;

class BlockingPool;  // runtime/src/offload: the pools behind spawn_blocking and compute
class ComputePool;
// Defined beside the pools, so that this header needs neither of them complete.
struct OffloadPoolDelete {
  void operator()(BlockingPool* pool) const noexcept;
  void operator()(ComputePool* pool) const noexcept;
};
using BlockingPoolPtr = std::unique_ptr<BlockingPool, OffloadPoolDelete>;
using ComputePoolPtr = std::unique_ptr<ComputePool, OffloadPoolDelete>;
}  // namespace detail

class Runtime {
 public:
  // Configured from the defaults and the WEFT_* environment variables.
  Runtime();
  explicit Runtime(Config config);
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;
  ~Runtime();

  // Runs `work` (a Task or a Future) on the workers. Callable from any thread, including
  // from inside a task. After shutdown the task is cancelled at once.
  template <detail::Spawnable F>
  auto spawn(F&& work) {
    using Fut = detail::spawned_future_t<F>;
    using Output = future_output_t<Fut>;
    auto* cell = detail::TaskCell<Fut>::create(Fut(std::forward<F>(work)), exception_handler_.id());
    JoinHandle<Output> handle(cell->header(), cell->outcome());
    scheduler_.spawn(cell->header());
    return handle;
  }

  // Runs `work` and blocks the calling thread until it completes; returns its result or
  // rethrows its exception. Must not be called from a worker thread (it would block the
  // worker that might have to run the task): that throws std::logic_error.
  template <detail::Spawnable F>
  auto block_on(F&& work) {
    if (Runtime::current() != nullptr) {
      throw std::logic_error("weft: block_on() called from a worker thread would deadlock");
    }
    auto handle = spawn(std::forward<F>(work));
    return block_on_future(handle);
  }

  // Runs `fn()` on the blocking pool, a set of threads apart from the workers, started on
  // demand up to Config::max_blocking_threads (beyond it jobs queue) and ended after
  // Config::blocking_keep_alive idle. co_await the handle for the result. Callable from any
  // thread. See blocking.hpp.
  template <class Fn>
  requires detail::Offloadable<Fn>
  auto spawn_blocking(Fn&& fn) {
    auto [handle, job] = detail::make_offload_job(std::forward<Fn>(fn), exception_handler_.id());
    submit_blocking(std::move(job));
    return std::move(handle);
  }

  // Runs `fn()` inside the runtime's oneTBB arena (Config::compute_threads), where it may use
  // tbb::parallel_for and friends; co_await the handle for the result. Callable from any
  // thread. See compute.hpp.
  template <class Fn>
  requires detail::Offloadable<Fn>
  auto compute(Fn&& fn) {
    auto [handle, job] = detail::make_offload_job(std::forward<Fn>(fn), exception_handler_.id());
    submit_compute(std::move(job));
    return std::move(handle);
  }

  // Stops the runtime as the destructor does. Returns false if some worker was still
  // inside a poll after `timeout` (a task blocking its thread); the destructor then waits
  // for it. From inside one of this runtime's tasks it starts the shutdown and returns
  // false at once (waiting would deadlock): the task's own frame is destroyed later, by the
  // destructor, which must run on a thread that is not a worker.
  bool shutdown(std::chrono::milliseconds timeout = std::chrono::milliseconds::max());

  const Config& config() const noexcept { return config_; }
  // The reactor thread that drives this runtime's timers and sockets.
  io::Reactor& reactor() noexcept { return *reactor_; }
  std::size_t worker_count() const noexcept { return scheduler_.worker_count(); }
  std::vector<WorkerMetrics> metrics() const { return scheduler_.metrics(); }
  // Threads of the blocking pool alive now, busy or idle.
  std::size_t blocking_threads() const;
  // The compute arena's maximum concurrency (Config::compute_threads, or oneTBB's choice).
  std::size_t compute_concurrency() const noexcept;

  // The runtime whose worker thread is calling, or nullptr on any other thread.
  static Runtime* current() noexcept;

 private:
  static io::ReactorOptions reactor_options(const Config& config);
  static SchedulerOptions scheduler_options(const Config& config, Runtime* self);
  // Starts the workers. When the system cannot (no thread or no memory for one), throws a
  // ConfigError naming worker_threads, with source "start".
  static Scheduler start_scheduler(const Config& config, Runtime* self);
  // runtime/src/offload/runtime_offload.cpp
  static detail::BlockingPoolPtr make_blocking_pool(const Config& config);
  static detail::ComputePoolPtr make_compute_pool(const Config& config);
  void submit_blocking(detail::OffloadJobPtr job);
  void submit_compute(detail::OffloadJobPtr job);
  // Drops the offloaded jobs not started; waits for the running ones unless called from
  // one of this runtime's workers (the destructor waits then).
  void shutdown_offload() noexcept;

  Config config_;
  // config_.unhandled_exception_handler, registered for as long as the runtime lives.
  detail::ExceptionHandlerRegistration exception_handler_;
  // Declared before the scheduler so that it outlives it: cancelling tasks at shutdown
  // runs their destructors, which deregister descriptors and timers from the reactor.
  std::unique_ptr<io::Reactor> reactor_;
  Scheduler scheduler_;
  // After the scheduler: shut down (in shutdown()) once no task can submit any more.
  detail::BlockingPoolPtr blocking_pool_ = make_blocking_pool(config_);
  detail::ComputePoolPtr compute_pool_ = make_compute_pool(config_);
};

// Spawns onto the runtime of the calling worker thread. Throws std::logic_error when
// called from a thread that is not a worker (use Runtime::spawn there).
template <detail::Spawnable F>
auto spawn(F&& work) {
  Runtime* runtime = Runtime::current();
  if (runtime == nullptr) {
    throw std::logic_error("weft::spawn() called outside a runtime; use Runtime::spawn()");
  }
  return runtime->spawn(std::forward<F>(work));
}

}  // namespace weft
