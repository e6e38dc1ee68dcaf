// A runtime whose settings pass validation but that the system cannot start (no memory or
// no threads for its workers) fails with a ConfigError that names the key to change, and
// leaves no thread running.

#include <weft/weft.hpp>

#include <gtest/gtest.h>

#include <sys/resource.h>
#include <unistd.h>

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "test_support.hpp"

namespace {

using weft_test::kAddressSanitizer;
using weft_test::kThreadSanitizer;

constexpr std::size_t kMiB = 1024 * 1024;

std::size_t address_space_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t size_pages = 0;
  statm >> size_pages;
  return size_pages * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

// In the death test's child: caps the address space at 512 MiB above what the process uses,
// then asks for 64 workers with 64 MiB stacks (4 GiB). Exits 0 if the Runtime reports that
// as a ConfigError for worker_threads from "start", printing its message.
[[noreturn]] void start_more_workers_than_the_address_space_holds() {
  const rlimit limit{address_space_bytes() + 512 * kMiB, RLIM_INFINITY};
  if (::setrlimit(RLIMIT_AS, &limit) != 0) std::_Exit(3);
  try {
    weft::Runtime rt(
        weft::Config::builder().worker_threads(64).thread_stack_size(64 * kMiB).build());
    std::fputs("the runtime started\n", stderr);
    std::_Exit(1);
  } catch (const weft::ConfigError& error) {
    std::fprintf(stderr, "%s\n", error.what());
    std::_Exit(error.key() == "worker_threads" && error.source() == "start" ? 0 : 2);
  }
}

TEST(StartFailure, WorkersTheSystemCannotStartAreAConfigErrorNamingTheKey) {
  if (kAddressSanitizer || kThreadSanitizer) {
    GTEST_SKIP() << "the sanitizers reserve terabytes of address space: no limit fits them";
  }
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(start_more_workers_than_the_address_space_holds(), ::testing::ExitedWithCode(0),
              "start: worker_threads = 64: worker thread [0-9]+ of 64 could not be started: .* "
              "\\(thread_stack_size: 67108864 bytes\\); lower worker_threads or "
              "thread_stack_size");
}

}  // namespace
