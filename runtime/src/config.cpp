// Config, its Builder's setters and build(), and ConfigError. Reading files and the environment
// lives in config_toml.cpp and config_env.cpp; what each key accepts lives in config_keys.cpp.

#include <weft/runtime/config.hpp>

#include <algorithm>
#include <cstdio>
#include <new>
#include <utility>

#include <weft/scheduler/usable_cpus.hpp>

#include "config_keys.hpp"

namespace weft {

ConfigError::ConfigError(std::string key, std::string source, const std::string& what)
    : Error(what), key_(std::move(key)), source_(std::move(source)) {}

// ---- Config -----------------------------------------------------------------------------------

std::size_t Config::default_worker_threads() noexcept {
  try {
    return std::min(cpu_budget(), worker_threads_limit);
  } catch (const std::bad_alloc&) {
    return 1;
  }
}

void Config::print_unhandled_exception(std::exception_ptr error) noexcept {
  if (!error) return;
  // One fprintf per report so that reports from several workers do not interleave.
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "weft: unhandled exception in detached task: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr,
                 "weft: unhandled exception in detached task: (not derived from std::exception)\n");
  }
}

Config Config::from_env() {
  return builder().from_env().build();
}

void Config::validate() const {
  // A Config edited field by field has no record of who set what.
  config_detail::validate(*this, [](std::string_view) { return "config"; });
}

std::string Config::describe() const {
  std::string text;
  for (const config_detail::KeyDef& key : config_detail::keys()) {
    if (key.builder_only()) continue;
    text.append(key.name).append(" = ").append(key.format(*this)).append("\n");
  }
  return text;
}

// ---- Config::Builder --------------------------------------------------------------------------

Config::Builder& Config::Builder::set_by_builder(std::string_view key) {
  origins_.insert_or_assign(std::string(key), "builder");
  return *this;
}

Config::Builder& Config::Builder::worker_threads(std::size_t value) {
  config_.worker_threads = value;
  return set_by_builder("worker_threads");
}

Config::Builder& Config::Builder::thread_name_prefix(std::string value) {
  config_.thread_name_prefix = std::move(value);
  return set_by_builder("thread_name_prefix");
}

Config::Builder& Config::Builder::thread_stack_size(std::size_t bytes) {
  config_.thread_stack_size = bytes;
  return set_by_builder("thread_stack_size");
}

Config::Builder& Config::Builder::pin_threads(bool value) {
  config_.pin_threads = value;
  return set_by_builder("pin_threads");
}

Config::Builder& Config::Builder::global_queue_interval(std::uint32_t value) {
  config_.global_queue_interval = value;
  return set_by_builder("global_queue_interval");
}

Config::Builder& Config::Builder::lifo_cap(std::uint32_t value) {
  config_.lifo_cap = value;
  return set_by_builder("lifo_cap");
}

Config::Builder& Config::Builder::event_budget(std::uint32_t value) {
  config_.event_budget = value;
  return set_by_builder("event_budget");
}

Config::Builder& Config::Builder::max_blocking_threads(std::size_t value) {
  config_.max_blocking_threads = value;
  return set_by_builder("max_blocking_threads");
}

Config::Builder& Config::Builder::blocking_keep_alive(std::chrono::milliseconds value) {
  config_.blocking_keep_alive = value;
  return set_by_builder("blocking_keep_alive");
}

Config::Builder& Config::Builder::reactor_mode(ReactorMode value) {
  config_.reactor_mode = value;
  return set_by_builder("reactor_mode");
}

Config::Builder& Config::Builder::io_backend(io::IoBackend value) {
  config_.io_backend = value;
  return set_by_builder("io_backend");
}

Config::Builder& Config::Builder::compute_threads(std::size_t value) {
  config_.compute_threads = value;
  return set_by_builder("compute_threads");
}

Config::Builder& Config::Builder::memory_release_interval(std::chrono::milliseconds value) {
  config_.memory_release_interval = value;
  return set_by_builder("memory_release_interval");
}

Config::Builder& Config::Builder::unhandled_exception_handler(
    std::function<void(std::exception_ptr)> handler) {
  config_.unhandled_exception_handler = std::move(handler);
  return set_by_builder("unhandled_exception_handler");
}

Config Config::Builder::build() const {
  config_detail::validate(config_, [this](std::string_view key) -> std::string {
    const auto origin = origins_.find(key);
    return origin == origins_.end() ? "default" : origin->second;
  });
  return config_;
}

}  // namespace weft
