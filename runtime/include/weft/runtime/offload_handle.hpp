#pragma once
// OffloadHandle<T>: the awaiting side of a job that runs off the workers, on the blocking
// pool (spawn_blocking) or in the compute arena (compute). Like a JoinHandle it is a Future:
//
//   weft::OffloadHandle<std::string> h = weft::spawn_blocking([] { return read_file(); });
//   std::string text = co_await h;          // or rethrows what the callable threw
//   std::string same = weft::block_on_future(h);   // from a plain thread
//
// Dropping the handle detaches the job: it still runs, and an exception escaping it goes
// to the runtime's unhandled-exception handler. A job the pool dropped at shutdown before it
// started completes with TaskCancelled. The handle may be moved at any time, even while a
// task awaits it: the waker lives in the shared state, not in the handle.
//
// With g++ 12, bind the handle to a variable before co_await when the callable captures
// anything with a destructor: g++ 12 destroys such a lambda temporary twice when it is
// written inside the co_await expression (docs/blocking-and-compute.md).

#include <atomic>
#include <concepts>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include <weft/runtime/detail/exception_reporter.hpp>
#include <weft/runtime/detail/outcome.hpp>
#include <weft/scheduler/atomic_waker.hpp>
#include <weft/scheduler/context.hpp>
#include <weft/scheduler/poll.hpp>

namespace weft {

namespace detail {

// A job as the pools see it: run it, or drop it unrun. One allocation shared by the pool
// (until the job has run or been dropped) and the handle (until it is destroyed).
class OffloadJob {
 public:
  OffloadJob(const OffloadJob&) = delete;
  OffloadJob& operator=(const OffloadJob&) = delete;

  // Runs the callable and publishes its result or exception. Called once, by a pool thread.
  virtual void run() noexcept = 0;
  // Publishes TaskCancelled without running the callable: the pool shut down first.
  virtual void cancel() noexcept = 0;

  // Gives up one of the two references; the last one frees the job.
  void release() noexcept {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }

 protected:
  OffloadJob() = default;
  virtual ~OffloadJob() = default;

 private:
  std::atomic<std::uint32_t> refs_{2};
};

// The pool's reference to a job.
struct OffloadJobRelease {
  void operator()(OffloadJob* job) const noexcept { job->release(); }
};
using OffloadJobPtr = std::unique_ptr<OffloadJob, OffloadJobRelease>;

// The result half of a job: the outcome, whether it is published, and the awaiter's waker.
template <class T>
class OffloadState : public OffloadJob {
 public:
  Poll<T> poll(Context& cx) {
    if (!is_done()) {
      waker_.register_waker(cx.waker());
      if (!is_done()) return pending;
    }
    if constexpr (std::is_void_v<T>) {
      outcome_.take();
      return ready;
    } else {
      return outcome_.take();
    }
  }

  bool is_done() const noexcept { return state_.load(std::memory_order_acquire) & kDone; }

  // The handle lets go. If the outcome is already published and holds an exception nobody
  // took, it is reported now; otherwise publish() reports it.
  void detach() noexcept {
    if (state_.fetch_or(kDetached, std::memory_order_acq_rel) & kDone) report_unobserved();
    release();
  }

 protected:
  explicit OffloadState(std::uint64_t runtime_id) noexcept : runtime_id_(runtime_id) {}

  template <class Fn>
  void run_callable(Fn& fn) noexcept {
    try {
      if constexpr (std::is_void_v<T>) {
        std::invoke(fn);
        outcome_.set_value();
      } else {
        outcome_.set_value(std::invoke(fn));
      }
    } catch (...) {
      outcome_.set_error(std::current_exception());
    }
  }
  void set_cancelled() noexcept { outcome_.set_cancelled(); }

  // Makes the outcome visible to the handle and wakes its awaiter.
  void publish() noexcept {
    if (state_.fetch_or(kDone, std::memory_order_acq_rel) & kDetached) {
      report_unobserved();
    } else {
      waker_.wake();
    }
  }

 private:
  static constexpr std::uint32_t kDone = 1;
  static constexpr std::uint32_t kDetached = 2;

  void report_unobserved() noexcept {
    if (std::exception_ptr error = outcome_.unobserved_error()) {
      report_unhandled_exception(runtime_id_, error);
    }
  }

  std::atomic<std::uint32_t> state_{0};
  Outcome<T> outcome_;
  AtomicWaker waker_;
  std::uint64_t runtime_id_;  // whose unhandled-exception handler a detached failure goes to
};

// The result type of an offloaded callable. A reference would dangle once the pool thread
// moves on, so callables must return by value.
template <class Fn>
using offload_result_t = std::invoke_result_t<std::decay_t<Fn>&>;

template <class Fn>
concept Offloadable = std::invocable < std::decay_t<Fn>
& > &&std::constructible_from<std::decay_t<Fn>, Fn> && !std::is_reference_v<offload_result_t<Fn>>;

template <class Fn>
class OffloadTask final : public OffloadState<offload_result_t<Fn>> {
 public:
  template <class F>
  OffloadTask(F&& fn, std::uint64_t runtime_id)
      : OffloadState<offload_result_t<Fn>>(runtime_id), fn_(std::in_place, std::forward<F>(fn)) {}

  // The callable is destroyed on the pool thread before the outcome is published, so what
  // it captured is released by the time the awaiter resumes.
  void run() noexcept override {
    this->run_callable(*fn_);
    fn_.reset();
    this->publish();
  }
  void cancel() noexcept override {
    fn_.reset();
    this->set_cancelled();
    this->publish();
  }

 private:
  std::optional<Fn> fn_;
};

}  // namespace detail

template <class T>
class [[nodiscard]] OffloadHandle {
 public:
  OffloadHandle() noexcept = default;
  explicit OffloadHandle(detail::OffloadState<T>* state) noexcept : state_(state) {}
  OffloadHandle(OffloadHandle&& other) noexcept : state_(std::exchange(other.state_, nullptr)) {}
  OffloadHandle& operator=(OffloadHandle&& other) noexcept {
    if (this != &other) {
      detach();
      state_ = std::exchange(other.state_, nullptr);
    }
    return *this;
  }
  OffloadHandle(const OffloadHandle&) = delete;
  OffloadHandle& operator=(const OffloadHandle&) = delete;
  ~OffloadHandle() { detach(); }

  // Ready with the callable's result once it has returned; throws what it threw, or
  // TaskCancelled if the pool dropped the job at shutdown. The result can be taken once:
  // polling again afterwards throws std::logic_error, as does polling an empty handle.
  Poll<T> poll(Context& cx) {
    if (state_ == nullptr) throw std::logic_error("weft: polled an empty OffloadHandle");
    return state_->poll(cx);
  }

  // True once the job has finished (run or dropped) and its outcome can be taken.
  bool is_finished() const noexcept { return state_ != nullptr && state_->is_done(); }

  // Lets the job run on unobserved; an exception escaping it then goes to the runtime's
  // unhandled-exception handler.
  void detach() noexcept {
    if (state_ != nullptr) std::exchange(state_, nullptr)->detach();
  }

  bool valid() const noexcept { return state_ != nullptr; }

 private:
  detail::OffloadState<T>* state_ = nullptr;
};

namespace detail {

// Allocates a job for `fn`; returns the handle and the pool's reference.
template <class Fn>
std::pair<OffloadHandle<offload_result_t<Fn>>, OffloadJobPtr> make_offload_job(
    Fn&& fn, std::uint64_t runtime_id) {
  auto* job = new OffloadTask<std::decay_t<Fn>>(std::forward<Fn>(fn), runtime_id);
  return {OffloadHandle<offload_result_t<Fn>>(job), OffloadJobPtr(job)};
}

}  // namespace detail

}  // namespace weft
