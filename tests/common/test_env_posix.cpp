#include "test_env.hpp"

#include <cstdlib>

namespace weft_test {

void set_env(const std::string& name, const std::string& value) {
  ::setenv(name.c_str(), value.c_str(), 1);
}

void unset_env(const std::string& name) {
  ::unsetenv(name.c_str());
}

}  // namespace weft_test
