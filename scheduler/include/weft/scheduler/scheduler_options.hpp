#pragma once
// What the scheduler needs to start. The runtime fills this in from weft::Config.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include <weft/scheduler/idle_driver.hpp>

namespace weft {

struct SchedulerOptions {
  std::size_t worker_threads = 1;
  std::string thread_name_prefix = "weft-worker";
  std::size_t thread_stack_size = 0;  // bytes; 0 = the system default
  bool pin_threads = false;           // pin worker i to usable_cpus()[i % count]
  std::uint32_t global_queue_interval = 61;
  std::uint32_t lifo_cap = 3;        // consecutive LIFO-slot polls before the queue gets a turn
  std::uint32_t event_budget = 128;  // operations a task may do per poll (see coop.hpp)
  // After workers that polled go idle, free memory is given back to the system at most this
  // often (frame allocator depot, C heap); 0 never. See src/memory_releaser.hpp.
  std::chrono::milliseconds memory_release_interval{1000};
  // If set, idle workers wait for IO and timers through it instead of only sleeping, and busy
  // workers poll it every global_queue_interval ticks. Must outlive the scheduler.
  IdleDriver* idle_driver = nullptr;
  // Run on each worker thread as it starts and just before it exits.
  std::function<void(std::size_t worker_index)> on_thread_start;
  std::function<void(std::size_t worker_index)> on_thread_stop;
};

}  // namespace weft
