#pragma once
// The calling thread's name as tools show it, per platform (tests/CMakeLists.txt picks the
// file): thread_name_posix.cpp (pthread_getname_np), thread_name_windows.cpp
// (GetThreadDescription).

#include <cstddef>
#include <string>

namespace weft_test {

std::string current_thread_name();

// How many characters of a name the platform keeps: Linux 15, Windows all.
extern const std::size_t kThreadNameLimit;

}  // namespace weft_test
