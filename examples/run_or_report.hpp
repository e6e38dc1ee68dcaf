#pragma once
// run_or_report(): how every example's main() turns a failure into a message. Anything that
// can fail at start-up (a bad WEFT_* setting makes weft::Runtime's constructor throw
// weft::ConfigError; a port in use makes bind throw weft::net::IoError) must happen inside
// `body`, so that the user sees one line on stderr and exit status 1, not std::terminate's
// abort.
//
//   int main() {
//     return weft_examples::run_or_report("hello", [] {
//       weft::Runtime runtime;
//       ...
//     });
//   }

#include <cstdio>
#include <exception>

namespace weft_examples {

// Runs `body`; returns 0 when it returns, or prints "<name>: <what()>" to stderr and returns
// 1 when it throws.
template <class Body>
int run_or_report(const char* name, Body&& body) {
  try {
    body();
    return 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "%s: %s\n", name, error.what());
  } catch (...) {
    std::fprintf(stderr, "%s: unknown error\n", name);
  }
  return 1;
}

}  // namespace weft_examples
