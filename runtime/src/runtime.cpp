#include <weft/runtime/runtime.hpp>

#include <weft/io/current_reactor.hpp>

namespace weft {

namespace {
thread_local Runtime* tl_runtime = nullptr;
}

Runtime::Runtime() : Runtime(Config::from_env()) {}

Runtime::Runtime(Config config)
    : config_((config.validate(), std::move(config))),
      exception_handler_(config_.unhandled_exception_handler),
      reactor_(std::make_unique<io::Reactor>(reactor_options(config_))),
      scheduler_(scheduler_options(config_, this)) {}

Runtime::~Runtime() {
  shutdown();
}

bool Runtime::shutdown(std::chrono::milliseconds timeout) {
  const bool stopped = scheduler_.shutdown(timeout);
  shutdown_offload();
  return stopped;
}

Runtime* Runtime::current() noexcept {
  return tl_runtime;
}

io::ReactorOptions Runtime::reactor_options(const Config& config) {
  io::ReactorOptions options;
  options.idle_workers_drive = config.reactor_mode == ReactorMode::shared;
  return options;
}

SchedulerOptions Runtime::scheduler_options(const Config& config, Runtime* self) {
  SchedulerOptions options;
  options.worker_threads = config.worker_threads;
  options.thread_name_prefix = config.thread_name_prefix;
  options.thread_stack_size = config.thread_stack_size;
  options.pin_threads = config.pin_threads;
  options.global_queue_interval = config.global_queue_interval;
  options.lifo_cap = config.lifo_cap;
  options.event_budget = config.event_budget;
  if (config.reactor_mode == ReactorMode::shared) options.idle_driver = self->reactor_.get();
  options.on_thread_start = [self](std::size_t) {
    tl_runtime = self;
    io::set_current_reactor(self->reactor_.get());
  };
  options.on_thread_stop = [](std::size_t) {
    tl_runtime = nullptr;
    io::set_current_reactor(nullptr);
  };
  return options;
}

}  // namespace weft
