#include <weft/runtime/runtime.hpp>

#include <new>
#include <string>
#include <system_error>

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
      scheduler_(start_scheduler(config_, this)) {}

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
  options.backend = config.io_backend;
  return options;
}

Scheduler Runtime::start_scheduler(const Config& config, Runtime* self) {
  const auto start_error = [&config](const std::string& what) {
    const std::string stack = config.thread_stack_size == 0
                                  ? std::string("the system default")
                                  : std::to_string(config.thread_stack_size) + " bytes";
    return ConfigError("worker_threads", "start",
                       "start: worker_threads = " + std::to_string(config.worker_threads) + ": " +
                           what + " (thread_stack_size: " + stack +
                           "); lower worker_threads or thread_stack_size");
  };
  try {
    return Scheduler(scheduler_options(config, self));
  } catch (const std::system_error& error) {
    throw start_error(error.what());
  } catch (const std::bad_alloc&) {
    throw start_error("out of memory for the workers");
  }
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
  options.memory_release_interval = config.memory_release_interval;
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
