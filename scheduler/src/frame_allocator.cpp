#include <weft/scheduler/frame_allocator.hpp>

#include <array>
#include <cstdint>
#include <mutex>
#include <new>
#include <vector>

#include "frame_allocator_release.hpp"

// Two tiers, in the manner of tcmalloc's thread and transfer caches:
//  * a per-thread free list per size class: the fast path, a TLS load and a pointer swap;
//  * a shared depot per size class that takes and hands out whole batches of blocks under a
//    mutex. It serves the producer/consumer pattern of a runtime (tasks allocated on one
//    thread, e.g. spawn from outside, and freed on another, where they complete): the
//    consumer's surplus flows back to the producer one batch per lock instead of through
//    the global allocator block by block.
// Both tiers are bounded; beyond them blocks go back to operator delete.

namespace weft::detail {
namespace {

#if defined(__SANITIZE_ADDRESS__)
// Under AddressSanitizer every block goes straight to the global allocator, so a use of a
// freed frame is reported instead of silently reusing a cached block.
constexpr bool kCacheEnabled = false;
#else
constexpr bool kCacheEnabled = true;
#endif

// Size classes: 16-byte steps up to 256 bytes (task cells and small frames, where rounding
// up would waste a large share), then 64-byte steps up to 2 KiB.
constexpr std::size_t kSmallStep = 16;
constexpr std::size_t kSmallLimit = 256;
constexpr std::size_t kLargeStep = 64;
constexpr std::size_t kMaxCached = 2048;  // larger blocks bypass the caches
constexpr std::size_t kSmallClasses = kSmallLimit / kSmallStep;
constexpr std::size_t kClasses = kSmallClasses + (kMaxCached - kSmallLimit) / kLargeStep;
constexpr std::uint32_t kBatch = 64;                   // blocks moved per depot transfer
constexpr std::uint32_t kThreadCapacity = 4 * kBatch;  // per class, per thread
constexpr std::size_t kDepotBytesPerClass = 64 << 20;  // bound on each class's depot
constexpr std::size_t kDepotBatchesKept = 4;           // per class, by a memory release

struct FreeBlock {
  FreeBlock* next;
};

struct Depot {
  std::mutex mutex;
  std::vector<FreeBlock*> batches;  // each a list of kBatch blocks
};

// Leaked on purpose: threads may return blocks while static destructors run.
std::array<Depot, kClasses>& depots() {
  static auto* instance = new std::array<Depot, kClasses>();
  return *instance;
}

constexpr std::size_t class_of(std::size_t size) {
  if (size <= kSmallLimit) return size == 0 ? 0 : (size - 1) / kSmallStep;
  return kSmallClasses + (size - kSmallLimit - 1) / kLargeStep;
}
constexpr std::size_t block_size(std::size_t c) {
  if (c < kSmallClasses) return (c + 1) * kSmallStep;
  return kSmallLimit + (c - kSmallClasses + 1) * kLargeStep;
}
static_assert(class_of(1) == 0 && block_size(0) == 16);
static_assert(class_of(144) == 8 && block_size(8) == 144);
static_assert(class_of(256) == 15 && block_size(15) == 256);
static_assert(class_of(257) == 16 && block_size(16) == 320);
static_assert(class_of(2048) == kClasses - 1 && block_size(kClasses - 1) == 2048);

// Trivially destructible and constant-initialised, so that the hot path reads it with
// plain TLS addressing (no lazy-initialisation guard). A thread's blocks go back to the
// depot at thread exit through a CacheReleaser, armed on the thread's first cached block.
struct ThreadCache {
  std::array<FreeBlock*, kClasses> heads;
  std::array<std::uint32_t, kClasses> counts;
  bool releaser_armed;
  bool torn_down;  // thread exit has begun: bypass the cache
};
constinit thread_local ThreadCache cache{};

// Detaches up to kBatch blocks from the front of class c's list.
FreeBlock* detach_batch(std::size_t c, std::uint32_t& taken) {
  FreeBlock* first = cache.heads[c];
  FreeBlock* last = first;
  taken = 1;
  while (taken < kBatch && last->next != nullptr) {
    last = last->next;
    ++taken;
  }
  cache.heads[c] = last->next;
  cache.counts[c] -= taken;
  last->next = nullptr;
  return first;
}

void free_list(FreeBlock* block) {
  while (block != nullptr) {
    FreeBlock* next = block->next;
    ::operator delete(block);
    block = next;
  }
}

// Gives a batch to the depot, or to the global allocator when the depot is full.
void deposit(std::size_t c, FreeBlock* batch) {
  Depot& depot = depots()[c];
  {
    std::lock_guard lock(depot.mutex);
    if (depot.batches.size() * kBatch * block_size(c) < kDepotBytesPerClass) {
      depot.batches.push_back(batch);
      return;
    }
  }
  free_list(batch);
}

bool withdraw(std::size_t c) {
  Depot& depot = depots()[c];
  std::lock_guard lock(depot.mutex);
  if (depot.batches.empty()) return false;
  cache.heads[c] = depot.batches.back();
  cache.counts[c] = kBatch;
  depot.batches.pop_back();
  return true;
}

// Hands every block of this thread's cache to the depot.
void deposit_thread_cache() noexcept {
  for (std::size_t c = 0; c < kClasses; ++c) {
    while (cache.heads[c] != nullptr) {
      std::uint32_t taken = 0;
      deposit(c, detach_batch(c, taken));
    }
  }
}

struct CacheReleaser {
  ~CacheReleaser() {
    deposit_thread_cache();
    cache.torn_down = true;
  }
};

void arm_releaser() {
  thread_local CacheReleaser releaser;
  (void)releaser;
  cache.releaser_armed = true;
}

}  // namespace

void frame_allocator_flush_thread_cache() noexcept {
  if (kCacheEnabled && !cache.torn_down) deposit_thread_cache();
}

void frame_allocator_release_depot() noexcept {
  if (!kCacheEnabled) return;
  for (Depot& depot : depots()) {
    // One batch per lock, freed outside it, so that workers exchanging batches barely wait.
    for (;;) {
      FreeBlock* batch = nullptr;
      {
        std::lock_guard lock(depot.mutex);
        if (depot.batches.size() <= kDepotBatchesKept) break;
        batch = depot.batches.back();
        depot.batches.pop_back();
      }
      free_list(batch);
    }
  }
}

void* frame_allocate(std::size_t size) {
  if (kCacheEnabled && size <= kMaxCached) {
    const std::size_t c = class_of(size);
    if (cache.heads[c] != nullptr || (!cache.torn_down && withdraw(c))) {
      FreeBlock* block = cache.heads[c];
      cache.heads[c] = block->next;
      --cache.counts[c];
      if (!cache.releaser_armed) arm_releaser();
      return block;
    }
    return ::operator new(block_size(c));
  }
  return ::operator new(size);
}

void frame_deallocate(void* block, std::size_t size) noexcept {
  if (kCacheEnabled && size <= kMaxCached && !cache.torn_down) {
    const std::size_t c = class_of(size);
    if (!cache.releaser_armed) arm_releaser();
    cache.heads[c] = new (block) FreeBlock{cache.heads[c]};
    if (++cache.counts[c] > kThreadCapacity) {
      std::uint32_t taken = 0;
      deposit(c, detach_batch(c, taken));
    }
    return;
  }
  ::operator delete(block);
}

}  // namespace weft::detail
