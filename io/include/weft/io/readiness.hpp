#pragma once
// Readiness: the small set of signals a descriptor can report, used both for the interest a
// Poller is asked to watch (readable, writable, hang-up) and for what it reports back.
//
// "Ready" means "the next operation in that direction will not block", not "will succeed":
// error and hang-up are readiness too, because the syscall that follows reports them.

#include <cstdint>

namespace weft::io {

enum class Readiness : std::uint8_t {
  none = 0,
  readable = 1u << 0,  // data (or a connection) can be taken without blocking
  writable = 1u << 1,  // data can be written without blocking
  error = 1u << 2,     // the descriptor has a pending error (always reported)
  hang_up = 1u << 3,   // the peer hung up or shut down its writing side (EPOLLRDHUP/EPOLLHUP)
};

// What to watch. The error signal is always reported whatever the interest says.
using Interest = Readiness;

constexpr Readiness operator|(Readiness a, Readiness b) noexcept {
  return static_cast<Readiness>(static_cast<std::uint8_t>(a) | static_cast<std::uint8_t>(b));
}
constexpr Readiness operator&(Readiness a, Readiness b) noexcept {
  return static_cast<Readiness>(static_cast<std::uint8_t>(a) & static_cast<std::uint8_t>(b));
}
constexpr Readiness without(Readiness set, Readiness removed) noexcept {
  return static_cast<Readiness>(static_cast<std::uint8_t>(set) &
                                ~static_cast<std::uint8_t>(removed));
}
constexpr Readiness& operator|=(Readiness& a, Readiness b) noexcept {
  return a = a | b;
}
constexpr Readiness& operator&=(Readiness& a, Readiness b) noexcept {
  return a = a & b;
}

// True when `set` has at least one of the signals in `any_of`.
constexpr bool has_any(Readiness set, Readiness any_of) noexcept {
  return (set & any_of) != Readiness::none;
}
// True when `set` has every signal in `all_of`.
constexpr bool has_all(Readiness set, Readiness all_of) noexcept {
  return (set & all_of) == all_of;
}
constexpr std::uint8_t to_bits(Readiness set) noexcept {
  return static_cast<std::uint8_t>(set);
}

}  // namespace weft::io
