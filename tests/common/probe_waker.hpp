#pragma once
// ProbeWaker: a hand-made Waker for polling futures and wake slots directly in tests. It counts
// its wakes and its live references (so a test can check the Waker contract exactly: who
// cloned, who dropped), lets a test wait for a wake from another thread, and can run a hook on
// the waking thread (`on_wake`, e.g. to record an order). Shared by every suite that needs one.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>

#include <weft/scheduler/waker.hpp>

namespace weft_test {

struct ProbeWaker {
  std::atomic<int> wakes{0};
  std::atomic<int> refs{0};
  std::function<void()> on_wake;
  std::mutex mutex;
  std::condition_variable woken;

  weft::Waker waker() {
    refs.fetch_add(1);
    return weft::Waker(&vtable, this);
  }

  // Waits until at least `count` wakes happened; false if that takes longer than `patience`.
  bool wait_for_wakes(int count, std::chrono::seconds patience = std::chrono::seconds(10)) {
    std::unique_lock lock(mutex);
    return woken.wait_for(lock, patience, [&] { return wakes.load() >= count; });
  }

  static void* clone(void* p) noexcept {
    static_cast<ProbeWaker*>(p)->refs.fetch_add(1);
    return p;
  }
  // The reference is given up before the wake is signalled, and the signal is the last thing
  // that touches the probe (notify under the lock): a test that saw the wake may check the
  // count, or destroy the probe, at once.
  static void wake(void* p) noexcept {
    static_cast<ProbeWaker*>(p)->refs.fetch_sub(1);
    signal(static_cast<ProbeWaker*>(p));
  }
  static void wake_by_ref(void* p) noexcept { signal(static_cast<ProbeWaker*>(p)); }
  static void drop(void* p) noexcept { static_cast<ProbeWaker*>(p)->refs.fetch_sub(1); }
  static void signal(ProbeWaker* self) noexcept {
    if (self->on_wake) self->on_wake();
    std::lock_guard lock(self->mutex);
    self->wakes.fetch_add(1);
    self->woken.notify_all();
  }
  static constexpr weft::WakerVTable vtable{&clone, &wake, &wake_by_ref, &drop};
};

}  // namespace weft_test
