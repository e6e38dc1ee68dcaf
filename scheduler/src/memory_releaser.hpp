#pragma once
// MemoryReleaser: gives memory that a busy spell left behind back to the operating system,
// so that a server which absorbed a burst (20,000 connections that all closed) does not keep
// the peak resident for ever.
//
// The rule: a worker that polled tasks and is now going to sleep asks for a release; the
// release runs `interval` later on the releaser's own thread, and requests made meanwhile
// join it. So a runtime releases at most once per interval, only after its workers were
// idle at least once, and an idle runtime (no polls) never. The delay lets a closing burst
// finish freeing first; the thread keeps the release (which takes the heap's locks and
// makes a syscall per free region) off the workers. A release trims the frame allocator's
// shared depot, then asks the C heap to return its free pages (heap_release.hpp).
// A worker's own block cache (bounded, and only the worker may touch it) is handed to the
// depot when the worker next goes idle after a release, for the release after that.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>

#include "worker_thread.hpp"

namespace weft::detail {

class MemoryReleaser {
 public:
  // `interval` 0: never releases and never starts a thread.
  explicit MemoryReleaser(std::chrono::milliseconds interval) : interval_(interval) {}
  MemoryReleaser(const MemoryReleaser&) = delete;
  MemoryReleaser& operator=(const MemoryReleaser&) = delete;
  // Stops the thread (a pending release is dropped) and joins it.
  ~MemoryReleaser();

  // On a worker that polled since its last call and is about to sleep: hands the thread's
  // cached frame blocks to the depot if a release ran since `releases_seen` (its previous
  // call), then request()s. Two atomic loads when nothing is due.
  void worker_going_idle(std::uint64_t& releases_seen) noexcept;

  // Any thread. Schedules a release `interval` from now unless one is scheduled already,
  // which costs one atomic load. The first request starts the thread.
  void request() noexcept;

 private:
  void run();

  const std::chrono::milliseconds interval_;
  std::atomic<std::uint64_t> releases_{0};  // releases done
  std::atomic<bool> requested_{false};      // a release is scheduled and has not started
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;                 // guarded by mutex_
  std::unique_ptr<WorkerThread> thread_;  // guarded by mutex_
};

// The release itself, synchronously: the frame allocator's depot, then the C heap.
void release_free_memory() noexcept;

}  // namespace weft::detail
