#include <weft/scheduler/frame_allocator.hpp>

#include <array>
#include <cstdint>
#include <new>

namespace weft::detail {
namespace {

#if defined(__SANITIZE_ADDRESS__)
// Under AddressSanitizer every block goes straight to the global allocator, so a use of a
// freed frame is reported instead of silently reusing a cached block.
constexpr bool kCacheEnabled = false;
#else
constexpr bool kCacheEnabled = true;
#endif

constexpr std::size_t kGranule = 64;
constexpr std::size_t kClasses = 32;                     // blocks up to 2 KiB are cached
constexpr std::size_t kMaxCached = kGranule * kClasses;  // larger blocks bypass the cache
constexpr std::size_t kCacheBytesPerClass = 512 * 1024;  // bound on one thread's cache

struct FreeBlock {
  FreeBlock* next;
};

// Trivially destructible and constant-initialised, so that the hot path reads it with
// plain TLS addressing (no lazy-init guard). The blocks it holds are returned to the global
// allocator by a CacheReleaser, which a thread creates the first time it caches a block.
struct ThreadCache {
  std::array<FreeBlock*, kClasses> heads;
  std::array<std::uint32_t, kClasses> counts;
  bool releaser_armed;
  bool torn_down;  // after thread exit began: bypass the cache
};
constinit thread_local ThreadCache cache{};

struct CacheReleaser {
  ~CacheReleaser() {
    for (std::size_t c = 0; c < kClasses; ++c) {
      while (FreeBlock* block = cache.heads[c]) {
        cache.heads[c] = block->next;
        ::operator delete(block);
      }
      cache.counts[c] = 0;
    }
    cache.torn_down = true;
  }
};

void arm_releaser() {
  thread_local CacheReleaser releaser;
  (void)releaser;
  cache.releaser_armed = true;
}

constexpr std::size_t class_of(std::size_t size) {
  return (size + kGranule - 1) / kGranule - 1;
}

// Blocks a thread may keep per class: a table, so the free path does no division.
constexpr std::array<std::uint32_t, kClasses> kCapacity = [] {
  std::array<std::uint32_t, kClasses> capacity{};
  for (std::size_t c = 0; c < kClasses; ++c) {
    capacity[c] = static_cast<std::uint32_t>(kCacheBytesPerClass / ((c + 1) * kGranule));
  }
  return capacity;
}();

}  // namespace

void* frame_allocate(std::size_t size) {
  if (kCacheEnabled && size <= kMaxCached) {
    const std::size_t c = class_of(size);
    if (FreeBlock* block = cache.heads[c]) {
      cache.heads[c] = block->next;
      --cache.counts[c];
      return block;
    }
    return ::operator new((c + 1) * kGranule);
  }
  return ::operator new(size);
}

void frame_deallocate(void* block, std::size_t size) noexcept {
  if (kCacheEnabled && size <= kMaxCached && !cache.torn_down) {
    const std::size_t c = class_of(size);
    if (cache.counts[c] < kCapacity[c]) {
      if (!cache.releaser_armed) arm_releaser();
      cache.heads[c] = new (block) FreeBlock{cache.heads[c]};
      ++cache.counts[c];
      return;
    }
  }
  ::operator delete(block);
}

}  // namespace weft::detail
