#pragma once
// The reactor's registrations: one per watched descriptor, holding the readiness the reactor
// has seen and the wakers of the (at most one) reader and (at most one) writer waiting on it.
//
// They live in a slab addressed by token = index | generation << 32. Releasing a slot bumps
// its generation, so an event still carrying the old token (one already fetched by the
// reactor, or one the kernel reports for a descriptor that was closed while a dup() of it
// kept its epoll entry alive) resolves to nothing and wakes nobody; the slot itself is then
// reused with the new generation.
//
// Storage is a fixed table of chunks of doubling size (64, 128, 256, ...) that are allocated
// on demand and never move or shrink until the slab is destroyed, so a Registration* stays
// valid for the slab's lifetime and lookup() on the reactor thread takes no lock: one
// acquire load of the chunk pointer, one of the generation. allocate() and release() may be
// called from any thread; a mutex guards only the free list.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include <weft/io/readiness.hpp>
#include <weft/scheduler/atomic_waker.hpp>

namespace weft::io::detail {

// The readiness word packs the signals seen (bits 0-7, a Readiness) and a tick (bits 16-31)
// that the reactor advances with every event it applies. A task snapshots the word before
// its syscall; if the syscall fails with EAGAIN it clears what it saw only if the tick is
// unchanged, so an edge that arrived after the snapshot is never erased (see reactor.hpp).
struct alignas(64) Registration {
  static constexpr std::uint32_t kSignalMask = 0xffu;
  static constexpr unsigned kTickShift = 16;

  std::atomic<std::uint32_t> readiness{0};
  std::atomic<std::uint32_t> generation{0};
  AtomicWaker reader;
  AtomicWaker writer;

  static constexpr Readiness signals_of(std::uint32_t word) noexcept {
    return static_cast<Readiness>(word & kSignalMask);
  }
  static constexpr std::uint16_t tick_of(std::uint32_t word) noexcept {
    return static_cast<std::uint16_t>(word >> kTickShift);
  }
  static constexpr std::uint32_t make_word(Readiness signals, std::uint16_t tick) noexcept {
    return static_cast<std::uint32_t>(to_bits(signals)) |
           (static_cast<std::uint32_t>(tick) << kTickShift);
  }

  // Reactor side: adds `signals` and advances the tick (wrapping at 2^16).
  void apply_event(Readiness signals) noexcept {
    std::uint32_t word = readiness.load(std::memory_order_relaxed);
    while (!readiness.compare_exchange_weak(
        word, make_word(signals_of(word) | signals, static_cast<std::uint16_t>(tick_of(word) + 1)),
        std::memory_order_acq_rel, std::memory_order_relaxed)) {
    }
  }

  // Task side: removes `signals` unless an event was applied since the snapshot that saw
  // tick `tick`. Returns whether it cleared.
  bool clear(Readiness signals, std::uint16_t tick) noexcept {
    std::uint32_t word = readiness.load(std::memory_order_acquire);
    while (tick_of(word) == tick) {
      if (readiness.compare_exchange_weak(word, make_word(without(signals_of(word), signals), tick),
                                          std::memory_order_acq_rel, std::memory_order_acquire)) {
        return true;
      }
    }
    return false;
  }
};

class RegistrationSlab {
 public:
  struct Allocation {
    std::uint64_t token;
    Registration* registration;
  };

  static constexpr std::size_t kFirstChunk = 64;
  static constexpr std::size_t kChunks = 20;  // 64 * (2^20 - 1): about 67 million slots
  static constexpr std::size_t kMaxSlots = kFirstChunk * ((std::size_t{1} << kChunks) - 1);

  RegistrationSlab() = default;
  RegistrationSlab(const RegistrationSlab&) = delete;
  RegistrationSlab& operator=(const RegistrationSlab&) = delete;
  ~RegistrationSlab();

  // A fresh registration (readiness zero, no wakers) and its token. Any thread. Throws
  // std::length_error when kMaxSlots are live, std::bad_alloc when memory runs out.
  Allocation allocate();

  // Retires `token`: its generation moves on (the token and any event carrying it now resolve
  // to nothing), then the waiting reader and writer, if any, are woken, so that a task
  // waiting on a descriptor that is going away is polled and finds out, and the slot goes
  // back on the free list. False, doing nothing, if the token is already stale. Any thread.
  bool release(std::uint64_t token) noexcept;

  // The live registration for `token`, or nullptr if the token is stale or was never handed
  // out. Lock-free; any thread.
  Registration* lookup(std::uint64_t token) const noexcept;

  // Number of live registrations.
  std::size_t size() const;

  // Calls f(Registration&) for every slot created so far, live or free (for shutdown).
  template <class F>
  void for_each_slot(F&& f) const {
    for (std::size_t chunk = 0; chunk < kChunks; ++chunk) {
      Registration* base = chunks_[chunk].load(std::memory_order_acquire);
      if (base == nullptr) break;
      for (std::size_t i = 0; i < chunk_size(chunk); ++i) f(base[i]);
    }
  }

  static constexpr std::uint64_t make_token(std::uint32_t index, std::uint32_t generation) {
    return static_cast<std::uint64_t>(index) | (static_cast<std::uint64_t>(generation) << 32);
  }
  static constexpr std::uint32_t index_of(std::uint64_t token) {
    return static_cast<std::uint32_t>(token);
  }
  static constexpr std::uint32_t generation_of(std::uint64_t token) {
    return static_cast<std::uint32_t>(token >> 32);
  }

 private:
  static constexpr std::size_t chunk_size(std::size_t chunk) { return kFirstChunk << chunk; }
  Registration* slot(std::uint32_t index) const noexcept;

  // Published with release once constructed; read lock-free.
  std::array<std::atomic<Registration*>, kChunks> chunks_{};
  mutable std::mutex mutex_;
  // Owners of the chunks above; guarded by mutex_.
  std::array<std::unique_ptr<Registration[]>, kChunks> owned_;
  std::vector<std::uint32_t> free_;  // guarded by mutex_; LIFO so hot slots are reused
  std::uint32_t next_index_ = 0;     // guarded by mutex_: slots handed out at least once
  std::size_t live_ = 0;             // guarded by mutex_
};

}  // namespace weft::io::detail
