#pragma once
// ChildWakers: the per-child wakers of a combinator that polls several futures inside one
// task (when_all, when_any).
//
// Each child is polled with a Waker of its own. Waking it records the child's index in a
// "woken" list and wakes the parent task, so the parent's next poll re-polls only the
// children that can make progress instead of all of them. The bookkeeping lives in a
// reference-counted block, because a child may have handed a clone of its waker to a
// channel, timer or another thread that outlives the combinator: such a late wake finds
// the block closed and does nothing.

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include <weft/scheduler/context.hpp>
#include <weft/scheduler/waker.hpp>

namespace weft::detail {

class ChildWakers {
 public:
  ChildWakers() noexcept = default;
  // Every child starts out woken, so that the first take_woken() polls them all.
  explicit ChildWakers(std::size_t count) : block_(Block::create(count)) {}
  ChildWakers(ChildWakers&& other) noexcept : block_(std::exchange(other.block_, nullptr)) {}
  ChildWakers& operator=(ChildWakers&& other) noexcept {
    if (this != &other) {
      close();
      block_ = std::exchange(other.block_, nullptr);
    }
    return *this;
  }
  ChildWakers(const ChildWakers&) = delete;
  ChildWakers& operator=(const ChildWakers&) = delete;
  ~ChildWakers() { close(); }

  bool valid() const noexcept { return block_ != nullptr; }

  // Moves the indices of the children woken since the last call into `out` (replacing its
  // contents) and makes `parent` the waker to call on the next child wake. Both happen
  // under one lock, so a wake is either in `out` or wakes `parent`.
  void take_woken(const Waker& parent, std::vector<std::size_t>& out) {
    out.clear();
    // Capacity for every child, so that the swap leaves the block a buffer that never
    // needs to grow inside a (noexcept) wake.
    out.reserve(block_->count);
    Waker old;
    {
      std::lock_guard lock(block_->mutex);
      if (!block_->parent.will_wake(parent)) old = std::exchange(block_->parent, parent);
      out.swap(block_->woken);
      for (std::size_t index : out) block_->slots[index].queued = false;
    }
  }

  // Calls fn(Context&) with a context whose waker is child `index`'s. The waker is
  // borrowed (no reference is taken); a child that keeps it clones it.
  template <class Fn>
  decltype(auto) with_child_context(std::size_t index, Fn&& fn) {
    struct Borrowed {
      Waker waker;
      ~Borrowed() { waker.release(); }
    } borrowed{Waker(&Block::kVTable, &block_->slots[index])};
    Context cx(borrowed.waker);
    return std::forward<Fn>(fn)(cx);
  }

  // Late wakes are ignored from now on; the block is freed with its last waker.
  void close() noexcept {
    if (block_ == nullptr) return;
    Waker parent;
    {
      std::lock_guard lock(block_->mutex);
      block_->closed = true;
      parent = std::move(block_->parent);
    }
    std::exchange(block_, nullptr)->release();
  }

 private:
  struct Block;
  struct Slot {
    Block* owner = nullptr;
    bool queued = true;  // in owner->woken; guarded by owner->mutex
  };

  struct Block {
    static Block* create(std::size_t count) {
      auto block = std::make_unique<Block>();
      block->count = count;
      block->slots = std::make_unique<Slot[]>(count);
      // Each child is in `woken` at most once (Slot::queued), so with this capacity a
      // wake never allocates, and the swap in take_woken keeps both vectors this large.
      block->woken.reserve(count);
      for (std::size_t i = 0; i < count; ++i) {
        block->slots[i].owner = block.get();
        block->woken.push_back(i);
      }
      return block.release();  // owned by its reference count from here on
    }

    void acquire() noexcept { refs.fetch_add(1, std::memory_order_relaxed); }
    void release() noexcept {
      if (refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
    }

    static void* clone(void* data) noexcept {
      static_cast<Slot*>(data)->owner->acquire();
      return data;
    }
    static void wake(void* data) noexcept {
      wake_by_ref(data);
      drop(data);
    }
    static void wake_by_ref(void* data) noexcept {
      auto* slot = static_cast<Slot*>(data);
      Block* block = slot->owner;
      Waker parent;
      {
        std::lock_guard lock(block->mutex);
        if (block->closed) return;
        if (!slot->queued) {
          slot->queued = true;
          block->woken.push_back(static_cast<std::size_t>(slot - block->slots.get()));
        }
        // One wake of the parent per poll is enough: it re-registers when polled.
        parent = std::move(block->parent);
      }
      parent.wake();
    }
    static void drop(void* data) noexcept { static_cast<Slot*>(data)->owner->release(); }

    static constexpr WakerVTable kVTable = {&clone, &wake, &wake_by_ref, &drop};

    std::atomic<std::size_t> refs{1};  // the combinator's, plus one per cloned waker
    std::mutex mutex;
    std::vector<std::size_t> woken;
    Waker parent;
    bool closed = false;
    std::size_t count = 0;
    std::unique_ptr<Slot[]> slots;
  };

  Block* block_ = nullptr;
};

}  // namespace weft::detail
