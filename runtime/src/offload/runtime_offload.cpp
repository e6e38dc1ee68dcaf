// The Runtime members behind spawn_blocking() and compute(): the two pools it owns.

#include <weft/runtime/runtime.hpp>

#include "blocking_pool.hpp"
#include "compute_pool.hpp"

namespace weft {

void detail::run_job(OffloadJobPtr&& job) noexcept {
  job->run();
  job.reset();
}

void detail::cancel_job(OffloadJobPtr&& job) noexcept {
  job->cancel();
  job.reset();
}

void detail::release_job(OffloadJobPtr&& job) noexcept {
  job.reset();
}

void detail::OffloadPoolDelete::operator()(BlockingPool* pool) const noexcept {
  delete pool;
}

void detail::OffloadPoolDelete::operator()(ComputePool* pool) const noexcept {
  delete pool;
}

detail::BlockingPoolPtr Runtime::make_blocking_pool(const Config& config) {
  return detail::BlockingPoolPtr(
      new detail::BlockingPool(config.max_blocking_threads, config.blocking_keep_alive));
}

detail::ComputePoolPtr Runtime::make_compute_pool(const Config& config) {
  return detail::ComputePoolPtr(new detail::ComputePool(config.compute_threads));
}

void Runtime::submit_blocking(detail::OffloadJobPtr job) {
  blocking_pool_->submit(std::move(job));
}

void Runtime::submit_compute(detail::OffloadJobPtr job) {
  compute_pool_->submit(std::move(job));
}

void Runtime::shutdown_offload() noexcept {
  // From inside a task, waiting for a blocking job could wait for the very task that job
  // waits on; the destructor, which runs on a thread that is not a worker, waits instead.
  const bool wait = current() != this;
  blocking_pool_->shutdown(wait);
  compute_pool_->shutdown(wait);
}

std::size_t Runtime::blocking_threads() const {
  return blocking_pool_->threads();
}

std::size_t Runtime::compute_concurrency() const noexcept {
  return static_cast<std::size_t>(compute_pool_->max_concurrency());
}

}  // namespace weft
