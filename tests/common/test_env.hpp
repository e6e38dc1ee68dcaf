#pragma once
// Setting and removing process environment variables in tests, per platform (setenv/unsetenv
// on POSIX, _putenv_s and SetEnvironmentVariable on Windows: test_env_*.cpp).

#include <string>

namespace weft_test {

void set_env(const std::string& name, const std::string& value);
void unset_env(const std::string& name);

}  // namespace weft_test
