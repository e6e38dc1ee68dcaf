#pragma once
// WakeBatch: collects wakes on one thread (typically the reactor, which sees many ready
// descriptors per wait) and delivers them together: tasks are grouped by target worker
// and pushed with one bulk enqueue each, then only as many workers are unparked as there
// is work for. Tasks bound for the same worker keep the order in which they were added.
// Wakers that are not scheduler tasks are simply woken.

#include <cstddef>
#include <vector>

#include <weft/scheduler/waker.hpp>

namespace weft {

namespace detail {
struct TaskHeader;
}

class WakeBatch {
 public:
  WakeBatch() = default;
  WakeBatch(const WakeBatch&) = delete;
  WakeBatch& operator=(const WakeBatch&) = delete;
  ~WakeBatch() { flush(); }

  void add(Waker&& waker);
  void add_by_ref(const Waker& waker);
  void flush();
  std::size_t size() const noexcept { return tasks_.size(); }

 private:
  std::vector<detail::TaskHeader*> tasks_;  // each holds one queue reference
};

}  // namespace weft
