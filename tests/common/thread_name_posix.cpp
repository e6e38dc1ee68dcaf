#include <pthread.h>

#include "thread_name.hpp"

namespace weft_test {

const std::size_t kThreadNameLimit = 15;

std::string current_thread_name() {
  char buffer[64] = {};
  ::pthread_getname_np(::pthread_self(), buffer, sizeof buffer);
  return buffer;
}

}  // namespace weft_test
