#include <weft/scheduler/detail/address_wait.hpp>

namespace weft::detail {

void wait_while_equal(const std::atomic<std::uint32_t>& word, std::uint32_t old) noexcept {
  word.wait(old, std::memory_order_acquire);
}

void wake_one_waiter(std::atomic<std::uint32_t>& word) noexcept {
  word.notify_one();
}

}  // namespace weft::detail
