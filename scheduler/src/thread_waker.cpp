#include <weft/scheduler/thread_waker.hpp>

#include <atomic>

#include <weft/scheduler/detail/parker.hpp>

namespace weft::detail {

struct ThreadNotifier::State {
  std::atomic<std::uint32_t> refs{1};
  Parker parker;

  static void release(void* data) noexcept {
    auto* self = static_cast<State*>(data);
    if (self->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete self;
  }
};

namespace {
void* notifier_clone(void* data) noexcept {
  static_cast<ThreadNotifier::State*>(data)->refs.fetch_add(1, std::memory_order_relaxed);
  return data;
}
void notifier_wake_by_ref(void* data) noexcept {
  static_cast<ThreadNotifier::State*>(data)->parker.unpark();
}
void notifier_wake(void* data) noexcept {
  notifier_wake_by_ref(data);
  ThreadNotifier::State::release(data);
}
const WakerVTable notifier_vtable = {&notifier_clone, &notifier_wake, &notifier_wake_by_ref,
                                     &ThreadNotifier::State::release};
}  // namespace

ThreadNotifier::ThreadNotifier() : state_(new State) {}
ThreadNotifier::~ThreadNotifier() {
  State::release(state_);
}

Waker ThreadNotifier::waker() const noexcept {
  return Waker(&notifier_vtable, notifier_clone(state_));
}

void ThreadNotifier::park() noexcept {
  state_->parker.park();
}

}  // namespace weft::detail
