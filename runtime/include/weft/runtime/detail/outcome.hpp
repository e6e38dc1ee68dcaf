#pragma once
// Outcome<T>: where a task's result waits for its JoinHandle: nothing yet, a value, or an
// exception (including TaskCancelled); taken at most once.

#include <exception>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>

#include <weft/runtime/errors.hpp>

namespace weft::detail {

struct Unit {};
template <class T>
using stored_t = std::conditional_t<std::is_void_v<T>, Unit, T>;

template <class T>
class Outcome {
 public:
  template <class... Args>
  void set_value(Args&&... args) {
    state_.template emplace<1>(std::forward<Args>(args)...);
  }
  void set_error(std::exception_ptr error) noexcept { state_.template emplace<2>(error); }
  void set_cancelled() noexcept { set_error(std::make_exception_ptr(TaskCancelled())); }

  // Moves the value out, or rethrows the stored exception.
  T take() {
    if (state_.index() == 2) {
      auto error = std::get<2>(std::move(state_));
      state_.template emplace<3>();
      std::rethrow_exception(error);
    }
    if (state_.index() != 1) throw std::logic_error("weft: task result already taken");
    if constexpr (std::is_void_v<T>) {
      state_.template emplace<3>();
    } else {
      T value = std::get<1>(std::move(state_));
      state_.template emplace<3>();
      return value;
    }
  }

  // The exception nobody will see, if the outcome is an error other than cancellation.
  std::exception_ptr unobserved_error() const noexcept {
    if (state_.index() != 2) return nullptr;
    try {
      std::rethrow_exception(std::get<2>(state_));
    } catch (const TaskCancelled&) {
      return nullptr;
    } catch (...) {
      return std::get<2>(state_);
    }
  }

 private:
  struct Taken {};
  std::variant<std::monostate, stored_t<T>, std::exception_ptr, Taken> state_;
};

}  // namespace weft::detail
