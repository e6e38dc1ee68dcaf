#pragma once
// A worker's local run queue: a bounded single-producer ring that the owning worker pushes
// to and pops from, and that other workers steal half of when they run dry.
//
// The head is two 32-bit indices packed in one atomic word: `real`, the next slot to pop,
// and `steal`, where an in-progress steal began. While a thief copies tasks out, steal !=
// real, and the owner's capacity check counts from `steal`, so it never overwrites a slot a
// thief is still reading. At most one steal runs at a time; a second thief backs off.
// Indices wrap; only their difference matters (unsigned arithmetic).

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>

namespace weft::detail {

template <class T, std::uint32_t Capacity = 256>
class LocalQueue {
  static_assert((Capacity & (Capacity - 1)) == 0, "capacity must be a power of two");
  static constexpr std::uint32_t kMask = Capacity - 1;

 public:
  static constexpr std::uint32_t capacity = Capacity;

  // Owner only. Pushes `item`; if the ring is full, moves half of it plus `item` into
  // `overflow(std::span<T*>)` instead (a bulk push to the shared path). Returns true when
  // an overflow happened.
  template <class Overflow>
  bool push_back(T* item, Overflow&& overflow) {
    for (;;) {
      const std::uint64_t head = head_.load(std::memory_order_acquire);
      const std::uint32_t steal = steal_part(head);
      const std::uint32_t real = real_part(head);
      const std::uint32_t tail = tail_.load(std::memory_order_relaxed);
      if (tail - steal < Capacity) {
        slots_[tail & kMask].store(item, std::memory_order_relaxed);
        tail_.store(tail + 1, std::memory_order_release);
        return false;
      }
      if (steal != real) {
        // A thief is taking from us right now, so room is about to appear; meanwhile this
        // one task goes to the shared path.
        T* single[1] = {item};
        overflow(std::span<T*>(single));
        return true;
      }
      if (move_half_out(item, real, overflow)) return true;
      // A thief moved the head under us: there is room now, try again.
    }
  }

  // Owner only. Pops the oldest task.
  T* pop() {
    std::uint64_t head = head_.load(std::memory_order_acquire);
    for (;;) {
      const std::uint32_t steal = steal_part(head);
      const std::uint32_t real = real_part(head);
      const std::uint32_t tail = tail_.load(std::memory_order_relaxed);
      if (real == tail) return nullptr;
      const std::uint32_t next_real = real + 1;
      const std::uint64_t next =
          steal == real ? pack(next_real, next_real) : pack(steal, next_real);
      if (head_.compare_exchange_weak(head, next, std::memory_order_acq_rel,
                                      std::memory_order_acquire)) {
        return slots_[real & kMask].load(std::memory_order_relaxed);
      }
    }
  }

  // Called by a thief on the victim's queue: moves about half of the victim's tasks into
  // `dst` (which must belong to the calling worker) and returns one of them to run now,
  // or nullptr when there was nothing to take.
  T* steal_into(LocalQueue& dst) {
    const std::uint32_t dst_tail = dst.tail_.load(std::memory_order_relaxed);
    const std::uint32_t dst_steal = steal_part(dst.head_.load(std::memory_order_acquire));
    if (dst_tail - dst_steal > Capacity / 2) return nullptr;  // no room for half a queue
    std::uint32_t n = steal_half_to(dst, dst_tail);
    if (n == 0) return nullptr;
    --n;
    T* ret = dst.slots_[(dst_tail + n) & kMask].load(std::memory_order_relaxed);
    if (n > 0) dst.tail_.store(dst_tail + n, std::memory_order_release);
    return ret;
  }

  // Any thread; a hint only (it can be stale by the time it returns).
  std::uint32_t size() const {
    const std::uint64_t head = head_.load(std::memory_order_acquire);
    const std::uint32_t tail = tail_.load(std::memory_order_acquire);
    return tail - real_part(head);
  }
  bool empty() const { return size() == 0; }

 private:
  static std::uint32_t steal_part(std::uint64_t head) { return std::uint32_t(head >> 32); }
  static std::uint32_t real_part(std::uint64_t head) { return std::uint32_t(head); }
  static std::uint64_t pack(std::uint32_t steal, std::uint32_t real) {
    return (std::uint64_t(steal) << 32) | real;
  }

  template <class Overflow>
  bool move_half_out(T* item, std::uint32_t head, Overflow& overflow) {
    constexpr std::uint32_t kHalf = Capacity / 2;
    std::uint64_t expected = pack(head, head);
    // Claim the oldest half; fails if a thief got in first.
    if (!head_.compare_exchange_strong(expected, pack(head + kHalf, head + kHalf),
                                       std::memory_order_release, std::memory_order_relaxed)) {
      return false;
    }
    std::array<T*, kHalf + 1> batch;
    for (std::uint32_t i = 0; i < kHalf; ++i) {
      batch[i] = slots_[(head + i) & kMask].load(std::memory_order_relaxed);
    }
    batch[kHalf] = item;
    overflow(std::span<T*>(batch));
    return true;
  }

  std::uint32_t steal_half_to(LocalQueue& dst, std::uint32_t dst_tail) {
    std::uint64_t prev = head_.load(std::memory_order_acquire);
    std::uint32_t first;
    std::uint32_t n;
    for (;;) {
      const std::uint32_t steal = steal_part(prev);
      const std::uint32_t real = real_part(prev);
      if (steal != real) return 0;  // another thief is at work
      const std::uint32_t tail = tail_.load(std::memory_order_acquire);
      n = tail - real;
      n -= n / 2;
      if (n == 0) return 0;
      // Advance `real` past the stolen range but leave `steal` behind until copied.
      if (head_.compare_exchange_weak(prev, pack(steal, real + n), std::memory_order_acq_rel,
                                      std::memory_order_acquire)) {
        first = real;
        prev = pack(steal, real + n);
        break;
      }
    }
    for (std::uint32_t i = 0; i < n; ++i) {
      T* task = slots_[(first + i) & kMask].load(std::memory_order_relaxed);
      dst.slots_[(dst_tail + i) & kMask].store(task, std::memory_order_relaxed);
    }
    // Done copying: let `steal` catch up with wherever the owner's pops have moved `real`.
    for (;;) {
      const std::uint32_t real = real_part(prev);
      if (head_.compare_exchange_weak(prev, pack(real, real), std::memory_order_acq_rel,
                                      std::memory_order_acquire)) {
        return n;
      }
    }
  }

  alignas(64) std::atomic<std::uint64_t> head_{0};
  alignas(64) std::atomic<std::uint32_t> tail_{0};
  alignas(64) std::array<std::atomic<T*>, Capacity> slots_{};
};

}  // namespace weft::detail
