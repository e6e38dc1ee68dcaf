#pragma once
// TaskCell<F>: one allocation per spawned task holding the scheduler's TaskHeader, the
// future being run, and the outcome its JoinHandle will read. It fills in the header's
// vtable for its future type.

#include <exception>
#include <functional>
#include <new>
#include <type_traits>

#include <weft/runtime/detail/exception_reporter.hpp>
#include <weft/runtime/detail/outcome.hpp>
#include <weft/scheduler/context.hpp>
#include <weft/scheduler/detail/task_header.hpp>
#include <weft/scheduler/frame_allocator.hpp>

namespace weft::detail {

template <class F>
class TaskCell {
 public:
  using Output = future_output_t<F>;

  // Allocates a cell in state NOTIFIED | JOIN_INTEREST with three references: the
  // owned-task registry's, the run queue's and the JoinHandle's.
  static TaskCell* create(F&& future, std::uint64_t runtime_id) {
    void* memory = frame_allocate(sizeof(TaskCell));
    return new (memory) TaskCell(std::move(future), runtime_id);
  }

  TaskHeader* header() noexcept { return &header_; }
  Outcome<Output>* outcome() noexcept { return &outcome_; }

 private:
  TaskCell(F&& future, std::uint64_t runtime_id)
      : header_(&vtable,
                task_state::kNotified | task_state::kJoinInterest | 3 * task_state::kRefOne),
        runtime_id_(runtime_id) {
    new (&future_) F(std::move(future));
  }
  // The future is destroyed explicitly (poll or cancel), never here.
  ~TaskCell() {}

  static TaskCell* from(TaskHeader* header) noexcept {
    static_assert(std::is_standard_layout_v<TaskHeader>);
    return reinterpret_cast<TaskCell*>(header);
  }

  static bool poll(TaskHeader* header, Context& cx) {
    TaskCell* cell = from(header);
    try {
      auto result = cell->future_.poll(cx);
      if (result.is_pending()) return false;
      if constexpr (std::is_void_v<Output>) {
        cell->outcome_.set_value();
      } else {
        cell->outcome_.set_value(std::move(result).value());
      }
    } catch (...) {
      cell->outcome_.set_error(std::current_exception());
    }
    cell->future_.~F();
    return true;
  }

  static void cancel(TaskHeader* header) noexcept {
    TaskCell* cell = from(header);
    cell->future_.~F();
    cell->outcome_.set_cancelled();
  }

  static void report_detached(TaskHeader* header) noexcept {
    TaskCell* cell = from(header);
    if (std::exception_ptr error = cell->outcome_.unobserved_error()) {
      report_unhandled_exception(cell->runtime_id_, error);
    }
  }

  static void destroy(TaskHeader* header) noexcept {
    TaskCell* cell = from(header);
    cell->~TaskCell();
    frame_deallocate(cell, sizeof(TaskCell));
  }

  static constexpr TaskVTable vtable = {&poll, &cancel, &report_detached, &destroy};

  TaskHeader header_;  // first: the scheduler's TaskHeader* is the cell's address
  union {
    F future_;  // alive from construction until the task finishes or is cancelled
  };
  Outcome<Output> outcome_;
  std::uint64_t runtime_id_;  // whose unhandled-exception handler to report to
};

}  // namespace weft::detail
