#pragma once
// weft::Config: every setting the runtime reads, where each one can come from, and the checks
// that keep a Runtime from starting half-configured.
//
//   weft::Config config = weft::Config::builder()
//                             .from_file("weft.toml")   // keys at top level or under [runtime]
//                             .from_env()               // WEFT_WORKER_THREADS=8, ...
//                             .worker_threads(4)        // code has the last word
//                             .build();                 // validates; throws weft::ConfigError
//
// Sources apply in the order they are called and the later one wins. docs/configuration.md
// lists every key with its TOML name, environment variable, type, default and valid range.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include <weft/io/io_backend.hpp>
#include <weft/runtime/errors.hpp>

namespace weft {

// A setting that is malformed, of the wrong type, out of range or unknown, or a config file
// that cannot be read or parsed. what() is "<source>: <problem>", e.g.
//   "weft.toml:3: worker_threads must be >= 1, got 0"
class ConfigError : public Error {
 public:
  ConfigError(std::string key, std::string source, const std::string& what);

  // The offending key ("worker_threads"), the unknown key or variable as written, or "" when
  // the problem is the file as a whole (unreadable, not valid TOML).
  const std::string& key() const noexcept { return key_; }
  // Where the value came from: "weft.toml:3" (file:line), "env WEFT_WORKER_THREADS",
  // "builder", "config" (a Config validated directly), "default", or "start" (a value that
  // passed validation, but the system refused it when the Runtime started: too many threads
  // for its limits, say).
  const std::string& source() const noexcept { return source_; }

 private:
  std::string key_;
  std::string source_;
};

// Who waits in the operating system's readiness primitive (epoll) for IO and timers.
enum class ReactorMode {
  // Only the dedicated reactor thread: every IO wakeup hops from it to a worker.
  dedicated,
  // Idle workers wait in epoll themselves and run what becomes ready without the hop (a worker with
  // no awake peer goes there at once, unless the workers leave a CPU free: then it spins on epoll
  // for up to 50 us first); busy workers check for ready IO every global_queue_interval polls; the
  // reactor thread is kept as a fallback that dispatches ready IO and timers when nobody has looked
  // for 1 ms and no task was polled meanwhile (10 ms while the workers keep polling). Its checks
  // back off while there is nothing to cover, up to 64 ms apart, because each one takes the
  // workers' core for a context switch: a stall is seen within about 70 ms (about 10 ms once polls
  // have slowed down) and then covered every millisecond.
  shared,
};

struct Config {
  class Builder;

  // The largest values the keys below accept: beyond them a runtime cannot start, or starts
  // and then exhausts the machine. docs/configuration.md gives the reason for each.
  static constexpr std::size_t worker_threads_limit = 1024;
  static constexpr std::size_t blocking_threads_limit = 10'000;
  static constexpr std::size_t compute_threads_limit = 1024;
  static constexpr std::size_t thread_stack_size_limit = std::size_t{1} << 30;  // 1 GiB

  // Threads that poll tasks. Default: the number of CPUs the process may keep busy: those its
  // affinity mask allows (taskset, a cpuset), lowered to a cgroup CPU quota (a container's CPU
  // limit) rounded up; weft::cpu_budget(). At least 1, at most worker_threads_limit.
  // Besides the workers, every runtime runs exactly one reactor thread (by design; not a
  // setting): it blocks in epoll and drives the timers, and costs one thread, about 100 KiB
  // of memory, and per IO wakeup one cross-thread hop (measured by `weft-bench hop`). When
  // the workers fill every core, the reactor competes with them for CPU; on a one-core
  // budget each IO event also costs a context switch.
  std::size_t worker_threads = default_worker_threads();
  // Worker threads are named "<prefix>-<index>", truncated to Linux's 15 characters.
  std::string thread_name_prefix = "weft-worker";
  // Bytes, of each worker thread's stack; 0 keeps the system default (8 MiB on Linux).
  std::size_t thread_stack_size = 0;
  // Pin worker i to the i-th usable CPU (wrapping around), so pinned workers stay inside the
  // process's affinity mask.
  bool pin_threads = false;
  // Every this many polls a worker checks its inbox (tasks from other threads) before its
  // local queue, and takes half the queue of a peer that polled nothing since its last look.
  std::uint32_t global_queue_interval = 61;
  // Consecutive polls of the LIFO slot before the local queue gets a turn; 0 disables it.
  std::uint32_t lifo_cap = 3;
  // Operations a task may perform per poll before it is made to yield.
  std::uint32_t event_budget = 128;
  // See ReactorMode; docs/configuration.md has the measurements behind the default.
  ReactorMode reactor_mode = ReactorMode::shared;
  // The readiness primitive the reactor waits in (weft/io/io_backend.hpp): epoll on Linux,
  // kqueue on the BSDs and macOS, iocp on Windows. Others only where this build has them.
  io::IoBackend io_backend = io::default_io_backend();
  // Upper bound on threads of the blocking pool.
  std::size_t max_blocking_threads = 512;
  // How long an idle blocking-pool thread waits for work before it exits.
  std::chrono::milliseconds blocking_keep_alive{10'000};
  // Threads of the compute (oneTBB) pool; 0 lets oneTBB choose.
  std::size_t compute_threads = 0;
  // Memory freed after a busy spell (a burst of connections that closed) goes back to the
  // operating system once the workers go idle: at most once per this interval, on a thread
  // of its own, never while the runtime is idle. 0 keeps it (the C heap's own behaviour).
  std::chrono::milliseconds memory_release_interval{1000};
  // Called with the exception that escaped a detached task. Builder only (not in TOML/env).
  std::function<void(std::exception_ptr)> unhandled_exception_handler = print_unhandled_exception;

  static Config defaults() { return Config{}; }
  static Builder builder();
  // defaults() overlaid with the WEFT_* environment variables; what Runtime() uses.
  static Config from_env();

  // Throws ConfigError (source "config") naming the first key whose value is out of range.
  void validate() const;
  // Every TOML/env key as "key = value" lines in TOML syntax, for logs; parsing the text back
  // (Builder::from_toml_string) reproduces this Config, except the exception handler.
  std::string describe() const;

  // The defaults of worker_threads and unhandled_exception_handler, public so that a custom
  // handler can log and then delegate to the standard one.
  static std::size_t default_worker_threads() noexcept;
  // Prints "weft: unhandled exception in detached task: <what()>" to stderr.
  static void print_unhandled_exception(std::exception_ptr error) noexcept;
};

class Config::Builder {
 public:
  Builder() = default;

  Builder& worker_threads(std::size_t value);
  Builder& thread_name_prefix(std::string value);
  Builder& thread_stack_size(std::size_t bytes);
  Builder& pin_threads(bool value);
  Builder& global_queue_interval(std::uint32_t value);
  Builder& lifo_cap(std::uint32_t value);
  Builder& event_budget(std::uint32_t value);
  Builder& reactor_mode(ReactorMode value);
  Builder& io_backend(io::IoBackend value);
  Builder& max_blocking_threads(std::size_t value);
  Builder& blocking_keep_alive(std::chrono::milliseconds value);
  Builder& compute_threads(std::size_t value);
  Builder& memory_release_interval(std::chrono::milliseconds value);
  Builder& unhandled_exception_handler(std::function<void(std::exception_ptr)> handler);

  // Applies every key in the TOML file over the current values. Throws ConfigError if the file
  // cannot be read or parsed, has an unknown key, or a value of the wrong type.
  Builder& from_file(const std::filesystem::path& path);
  // As from_file, from text; errors name `source_name` as the file.
  Builder& from_toml_string(std::string_view text, std::string source_name = "<string>");
  // Applies the WEFT_* variables of the process environment over the current values.
  Builder& from_env();
  // As from_env(), from a map; names not starting with "WEFT_" are ignored.
  Builder& from_env(const std::map<std::string, std::string>& vars);

  // Checks every range and returns the Config, or throws ConfigError naming the key and the
  // source of its last assignment.
  Config build() const;

 private:
  // Records that `key` was last set by the builder, for build()'s error messages.
  Builder& set_by_builder(std::string_view key);

  Config config_;
  // Key -> where its current value came from ("weft.toml:3", "env WEFT_LIFO_CAP", "builder").
  // Keys that still hold their default are absent.
  std::map<std::string, std::string, std::less<>> origins_;
};

inline Config::Builder Config::builder() {
  return Builder{};
}

}  // namespace weft
