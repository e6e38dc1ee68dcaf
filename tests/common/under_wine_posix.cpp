#include "under_wine.hpp"

namespace weft_test {

bool running_under_wine() {
  return false;
}

}  // namespace weft_test
