#include "memory_releaser.hpp"

#include "frame_allocator_release.hpp"
#include "heap_release.hpp"

namespace weft::detail {

void release_free_memory() noexcept {
  frame_allocator_release_depot();
  release_free_heap();
}

MemoryReleaser::~MemoryReleaser() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.reset();  // joins
}

void MemoryReleaser::worker_going_idle(std::uint64_t& releases_seen) noexcept {
  if (interval_.count() == 0) return;
  const std::uint64_t releases = releases_.load(std::memory_order_relaxed);
  if (releases != releases_seen) {
    releases_seen = releases;
    frame_allocator_flush_thread_cache();
  }
  request();
}

void MemoryReleaser::request() noexcept {
  if (interval_.count() == 0 || requested_.load(std::memory_order_relaxed)) return;
  if (requested_.exchange(true, std::memory_order_acq_rel)) return;
  std::lock_guard lock(mutex_);
  if (stopping_) return;
  if (!thread_) {
    try {
      thread_ =
          std::make_unique<WorkerThread>(ThreadSpec{.name = "weft-release"}, [this] { run(); });
    } catch (...) {
      // No thread, no releases: `requested_` stays set, so later requests return at once
      // instead of failing to start a thread on every park. Memory stays as it is today.
      return;
    }
  }
  wake_.notify_one();
}

void MemoryReleaser::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || requested_.load(std::memory_order_acquire); });
    if (wake_.wait_for(lock, interval_, [this] { return stopping_; })) return;
    // Cleared before releasing, so that what is freed from here on asks for the next one.
    requested_.store(false, std::memory_order_release);
    lock.unlock();
    release_free_memory();
    releases_.fetch_add(1, std::memory_order_relaxed);
    lock.lock();
  }
}

}  // namespace weft::detail
