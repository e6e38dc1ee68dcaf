#pragma once
// Where an exception escaping a detached task is reported: the unhandled-exception handler
// of the runtime that ran the task. Tasks name their runtime by a number rather than a
// pointer, because a JoinHandle may outlive its runtime: a failure discovered when such a
// handle is dropped finds no handler any more and is discarded, instead of calling into a
// destroyed runtime. Reports are rare, so one process-wide lock is fine.

#include <cstdint>
#include <exception>
#include <functional>

namespace weft::detail {

using ExceptionHandler = std::function<void(std::exception_ptr)>;

// Registers a runtime's handler; returns the id its tasks carry.
std::uint64_t register_exception_handler(ExceptionHandler handler);
// After this, reports for `id` are discarded. Waits for a report in progress to finish.
void unregister_exception_handler(std::uint64_t id) noexcept;
// Calls the handler registered as `id`, if it is still registered.
void report_unhandled_exception(std::uint64_t id, std::exception_ptr error) noexcept;

// Owns one registration (a Runtime member).
class ExceptionHandlerRegistration {
 public:
  explicit ExceptionHandlerRegistration(ExceptionHandler handler)
      : id_(register_exception_handler(std::move(handler))) {}
  ExceptionHandlerRegistration(const ExceptionHandlerRegistration&) = delete;
  ExceptionHandlerRegistration& operator=(const ExceptionHandlerRegistration&) = delete;
  ~ExceptionHandlerRegistration() { unregister_exception_handler(id_); }
  std::uint64_t id() const noexcept { return id_; }

 private:
  std::uint64_t id_;
};

}  // namespace weft::detail
