#include <weft/scheduler/scheduler.hpp>

#include <stdexcept>

#include "scheduler_core.hpp"

namespace weft {

Scheduler::Scheduler(SchedulerOptions options) {
  if (options.worker_threads == 0) throw std::invalid_argument("weft: worker_threads must be >= 1");
  if (options.global_queue_interval == 0) {
    throw std::invalid_argument("weft: global_queue_interval must be >= 1");
  }
  if (options.event_budget == 0) throw std::invalid_argument("weft: event_budget must be >= 1");
  core_ = std::make_unique<detail::SchedulerCore>(std::move(options));
  core_->start();
}

Scheduler::~Scheduler() = default;

void Scheduler::spawn(detail::TaskHeader* task) {
  core_->spawn(task);
}

bool Scheduler::shutdown(std::chrono::milliseconds timeout) {
  return core_->shutdown(timeout);
}

std::size_t Scheduler::worker_count() const noexcept {
  return core_->worker_count();
}

std::vector<WorkerMetrics> Scheduler::metrics() const {
  return core_->metrics();
}

long Scheduler::current_worker_index() const noexcept {
  detail::Worker* w = detail::current_worker();
  return (w != nullptr && &w->core() == core_.get()) ? long(w->index()) : -1;
}

}  // namespace weft
