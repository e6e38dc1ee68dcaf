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

  // The runtime whose worker thread is calling, or nullptr on any other thread.
  static Runtime* current() noexcept;

 private:
  static io::ReactorOptions reactor_options(const Config& config);
  static SchedulerOptions scheduler_options(const Config& config, Runtime* self);

  Config config_;
  // config_.unhandled_exception_handler, registered for as long as the runtime lives.
  detail::ExceptionHandlerRegistration exception_handler_;
  // Declared before the scheduler so that it outlives it: cancelling tasks at shutdown
  // runs their destructors, which deregister descriptors and timers from the reactor.
  std::unique_ptr<io::Reactor> reactor_;
  Scheduler scheduler_;
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
