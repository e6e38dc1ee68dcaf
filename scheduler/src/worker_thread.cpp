#include "worker_thread.hpp"

namespace weft::detail {

WorkerThread::WorkerThread(const ThreadSpec& spec, std::function<void()> body)
    : body_(std::move(body)), thread_(platform::start_thread(spec, &WorkerThread::run, this)) {}

void WorkerThread::run(void* self) noexcept {
  static_cast<WorkerThread*>(self)->body_();
}

}  // namespace weft::detail
