#pragma once
// TryRecvResult<T>: what a non-blocking receive found: a value, nothing yet, or a closed
// channel that will never deliver another value.

#include <optional>
#include <stdexcept>
#include <utility>

namespace weft::channel_detail {

enum class TryRecvStatus {
  value,   // a value was received
  empty,   // nothing now; a later receive may succeed
  closed,  // nothing now and never again (closed and drained)
};

template <class T>
class TryRecvResult {
 public:
  explicit TryRecvResult(TryRecvStatus status) noexcept : status_(status) {}
  explicit TryRecvResult(T&& value) : value_(std::move(value)), status_(TryRecvStatus::value) {}

  TryRecvStatus status() const noexcept { return status_; }
  bool has_value() const noexcept { return status_ == TryRecvStatus::value; }
  explicit operator bool() const noexcept { return has_value(); }
  bool is_empty() const noexcept { return status_ == TryRecvStatus::empty; }
  bool is_closed() const noexcept { return status_ == TryRecvStatus::closed; }

  // The value; std::logic_error when there is none.
  T& value() & { return checked(); }
  T&& value() && { return std::move(checked()); }
  T& operator*() & { return checked(); }
  T* operator->() { return &checked(); }

 private:
  T& checked() {
    if (!value_) throw std::logic_error("weft: try_recv result holds no value");
    return *value_;
  }

  std::optional<T> value_;
  TryRecvStatus status_;
};

}  // namespace weft::channel_detail
