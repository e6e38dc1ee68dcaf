#pragma once
// CountedRef: a channel handle's reference to the state it shares with the other handles.
//
// Whether a side of a channel is gone is decided by the shared state's own sender and
// receiver counts (the shared_ptr only keeps the memory alive), so every handle must add
// its count when copied and drop it exactly once when destroyed or overwritten. Holding
// that count here keeps each handle's copy, move and destruction from getting it wrong.
// A moved-from handle holds nothing; checked() reports its use instead of dereferencing
// null.

#include <memory>
#include <stdexcept>
#include <utility>

namespace weft::channel_detail {

// Which of the shared state's counts a handle holds.
struct SenderSide {
  static void add(auto& shared) noexcept(noexcept(shared.add_sender())) { shared.add_sender(); }
  static void drop(auto& shared) noexcept { shared.drop_sender(); }
};
struct ReceiverSide {
  static void add(auto& shared) noexcept(noexcept(shared.add_receiver())) { shared.add_receiver(); }
  static void drop(auto& shared) noexcept { shared.drop_receiver(); }
};

template <class Shared, class Side>
class CountedRef {
 public:
  // Takes over a count already added for this handle (by the channel's creation, or by a
  // subscribe on the shared state).
  explicit CountedRef(std::shared_ptr<Shared> shared) noexcept : shared_(std::move(shared)) {}
  // A copy is as nothrow as adding a count, so that the handles' copies keep the guarantee
  // they had. (Written into each noexcept rather than kept in a constant: the state of a
  // side whose handles are not copyable, like broadcast receivers, has no add to ask about.)
  CountedRef(const CountedRef& other) noexcept(noexcept(Side::add(std::declval<Shared&>())))
      : shared_(other.shared_) {
    if (shared_) Side::add(*shared_);
  }
  CountedRef(CountedRef&&) noexcept = default;
  CountedRef& operator=(const CountedRef& other) noexcept(
      noexcept(Side::add(std::declval<Shared&>()))) {
    if (this != &other) *this = CountedRef(other);
    return *this;
  }
  CountedRef& operator=(CountedRef&& other) noexcept {
    if (this != &other) {
      reset();
      shared_ = std::move(other.shared_);
    }
    return *this;
  }
  ~CountedRef() { reset(); }

  // The shared state; throws std::logic_error(`used_after_move`) if this was moved from.
  Shared& checked(const char* used_after_move) const {
    if (!shared_) throw std::logic_error(used_after_move);
    return *shared_;
  }

  explicit operator bool() const noexcept { return shared_ != nullptr; }
  Shared* operator->() const noexcept { return shared_.get(); }
  // The pointer without a count, for a new handle whose count is added separately.
  const std::shared_ptr<Shared>& pointer() const noexcept { return shared_; }

 private:
  void reset() noexcept {
    if (shared_) {
      Side::drop(*shared_);
      shared_.reset();
    }
  }

  std::shared_ptr<Shared> shared_;
};

}  // namespace weft::channel_detail
