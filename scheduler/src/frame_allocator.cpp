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
constexpr std::size_t kMaxCachedPerClass = 1024;         // bound on a thread's cache
constexpr std::size_t kMaxCached = kGranule * kClasses;  // larger blocks bypass the cache

struct FreeBlock {
  FreeBlock* next;
};

struct ThreadCache {
  std::array<FreeBlock*, kClasses> heads{};
  std::array<std::uint32_t, kClasses> counts{};

  ~ThreadCache() {
    for (std::size_t c = 0; c < kClasses; ++c) {
      while (FreeBlock* block = heads[c]) {
        heads[c] = block->next;
        ::operator delete(block);
      }
    }
    destroyed = true;
  }

  // Set once this thread's cache has been torn down (frames freed by other thread_local
  // destructors after that go to the global allocator).
  static thread_local bool destroyed;
};

thread_local bool ThreadCache::destroyed = false;
thread_local ThreadCache cache;

std::size_t class_of(std::size_t size) {
  return (size + kGranule - 1) / kGranule - 1;
}

}  // namespace

void* frame_allocate(std::size_t size) {
  if (kCacheEnabled && size <= kMaxCached && !ThreadCache::destroyed) {
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
  if (kCacheEnabled && size <= kMaxCached && !ThreadCache::destroyed) {
    const std::size_t c = class_of(size);
    if (cache.counts[c] < kMaxCachedPerClass) {
      cache.heads[c] = new (block) FreeBlock{cache.heads[c]};
      ++cache.counts[c];
      return;
    }
  }
  ::operator delete(block);
}

}  // namespace weft::detail
