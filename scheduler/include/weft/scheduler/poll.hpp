#pragma once
// Poll<T>: the result of polling a future: Ready with a value, or Pending (the future has
// arranged for its waker to be called when it can make progress).

#include <optional>
#include <type_traits>
#include <utility>

namespace weft {

struct PendingTag {};
inline constexpr PendingTag pending{};

template <class T>
class Poll {
 public:
  Poll(PendingTag) noexcept {}
  template <class U>
  requires std::is_constructible_v<T, U&&> Poll(U&& value)
      : value_(std::in_place, std::forward<U>(value)) {}

  bool is_ready() const noexcept { return value_.has_value(); }
  bool is_pending() const noexcept { return !value_.has_value(); }
  T& value() & { return *value_; }
  T&& value() && { return std::move(*value_); }

 private:
  std::optional<T> value_;
};

struct Ready {};
inline constexpr Ready ready{};

// Poll<void> is a plain flag.
template <>
class Poll<void> {
 public:
  Poll(PendingTag) noexcept {}
  Poll(Ready) noexcept : ready_(true) {}
  bool is_ready() const noexcept { return ready_; }
  bool is_pending() const noexcept { return !ready_; }
  void value() const noexcept {}

 private:
  bool ready_ = false;
};

}  // namespace weft
