#include "test_env.hpp"

#include <windows.h>

#include <cstdlib>

namespace weft_test {

// Both copies of the environment: the C runtime's (getenv) and the process's
// (GetEnvironmentStrings, which weft reads).
void set_env(const std::string& name, const std::string& value) {
  ::_putenv_s(name.c_str(), value.c_str());
  ::SetEnvironmentVariableA(name.c_str(), value.c_str());
}

void unset_env(const std::string& name) {
  ::_putenv_s(name.c_str(), "");
  ::SetEnvironmentVariableA(name.c_str(), nullptr);
}

}  // namespace weft_test
