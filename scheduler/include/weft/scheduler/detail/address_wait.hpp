#pragma once
// Sleeping on a 32-bit word until another thread changes it and says so: what Parker needs
// from the operating system. Out of line, with one implementation per platform
// (scheduler/src/platform/address_wait_*.cpp):
//
//   address_wait_posix.cpp    std::atomic::wait / notify_one (a futex on Linux)
//   address_wait_windows.cpp  WaitOnAddress / WakeByAddressSingle
//
// Not std::atomic::wait everywhere: where the C++ library has no futex-like primitive, as
// libstdc++ 12 on Windows, it falls back to a mutex/condvar pool whose wait checks the value
// before it takes the mutex, so a notify landing between the check and the sleep is lost
// for good (GCC bug 106183, fixed in GCC 13). A parked worker would then never wake.

#include <atomic>
#include <cstdint>

namespace weft::detail {

// Blocks while `word` holds `old`; may also return spuriously (callers re-check).
void wait_while_equal(const std::atomic<std::uint32_t>& word, std::uint32_t old) noexcept;
// Wakes one thread blocked in wait_while_equal() on `word` (after `word` was changed).
void wake_one_waiter(std::atomic<std::uint32_t>& word) noexcept;

}  // namespace weft::detail
