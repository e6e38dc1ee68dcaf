#pragma once
// Reading the process environment, one implementation per platform (runtime/CMakeLists.txt
// picks the file):
//
//   environment_posix.cpp    the `environ` array
//   environment_windows.cpp  GetEnvironmentStringsW, converted to UTF-8 (the C runtime's
//                            narrow copy would mangle what the ANSI code page cannot hold)

#include <map>
#include <string>
#include <string_view>

namespace weft {

// The variables whose names start with `prefix` (exactly, case-sensitive), name -> value.
std::map<std::string, std::string> environment_variables(std::string_view prefix);

}  // namespace weft
