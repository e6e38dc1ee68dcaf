#pragma once
// cpu_relax(): the spin-wait hint. It tells the core that this thread is waiting on another,
// which frees pipeline resources for a sibling hyper-thread and avoids the memory-order
// mis-speculation penalty when the awaited value finally changes.

namespace weft::detail {

inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

}  // namespace weft::detail
