#pragma once
// Shared helpers for the io tests: a counting Waker (Probe), descriptor pairs, and bounded
// waiting on observable conditions (never sleeping in place of synchronisation).

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

#include <weft/io/file_descriptor.hpp>
#include <weft/io/io_backend.hpp>
#include <weft/io/reactor_options.hpp>
#include <weft/scheduler/waker.hpp>

#include "../common/probe_waker.hpp"
#include "../common/test_sockets.hpp"

namespace weft_io_test {

using namespace std::chrono_literals;

// How long a test waits for something that should happen promptly before calling it lost.
inline constexpr std::chrono::seconds kPatience{10};

using Probe = weft_test::ProbeWaker;

// The options the io tests make their Reactors with: the build's default backend, or the one
// WEFT_IO_BACKEND names (the variable weft::Config reads), so that ctest can run the reactor
// tests again on another backend (tests/CMakeLists.txt, weft_test_other_backends). A name this
// build lacks fails the test rather than quietly testing the default.
inline weft::io::ReactorOptions test_reactor_options() {
  weft::io::ReactorOptions options;
  const char* name = std::getenv("WEFT_IO_BACKEND");
  if (name == nullptr || *name == '\0') return options;
  const auto backend = weft::io::parse_io_backend(name);
  if (!backend || !weft::io::is_available(*backend)) {
    throw std::invalid_argument(std::string("WEFT_IO_BACKEND=") + name +
                                ": not a backend of this build (" +
                                weft::io::available_io_backend_names() + ")");
  }
  options.backend = *backend;
  return options;
}

// Descriptor pairs and raw reads and writes, per platform (../common/test_sockets.hpp).
using weft_test::drain;
using weft_test::FdPair;
using weft_test::fill;
using weft_test::make_pipe;
using weft_test::make_socketpair;
using weft_test::write_byte;

// Spins (yielding) until `condition` holds; false after kPatience. For conditions another
// thread makes true, where there is nothing to block on.
template <class Condition>
bool eventually(Condition condition) {
  const auto give_up = std::chrono::steady_clock::now() + kPatience;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::yield();
  }
  return true;
}

}  // namespace weft_io_test
