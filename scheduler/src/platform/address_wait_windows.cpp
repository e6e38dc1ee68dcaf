#include <windows.h>

#include <weft/scheduler/detail/address_wait.hpp>

namespace weft::detail {

// WaitOnAddress compares the word with `old` and sleeps in one step inside the kernel, so a
// wake between the caller's check and the sleep is not lost. It works on the word's bytes:
// std::atomic<std::uint32_t> is one uint32_t (checked below), with no lock beside it.
static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t) &&
              std::atomic<std::uint32_t>::is_always_lock_free);

void wait_while_equal(const std::atomic<std::uint32_t>& word, std::uint32_t old) noexcept {
  auto* address = const_cast<std::atomic<std::uint32_t>*>(&word);
  ::WaitOnAddress(address, &old, sizeof old, INFINITE);
}

void wake_one_waiter(std::atomic<std::uint32_t>& word) noexcept {
  ::WakeByAddressSingle(&word);
}

}  // namespace weft::detail
