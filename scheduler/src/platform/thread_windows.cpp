#include "thread.hpp"

#include <windows.h>

#include <process.h>

#include <cerrno>
#include <string>
#include <system_error>

#include "cpu_numbers_windows.hpp"

namespace weft::platform {

struct NativeThread {
  ThreadEntry entry;
  void* argument;
  HANDLE handle = nullptr;
};

namespace {

unsigned __stdcall run(void* raw) noexcept {
  const NativeThread& thread = *static_cast<NativeThread*>(raw);
  thread.entry(thread.argument);
  return 0;
}

// The name as UTF-16, which SetThreadDescription takes; empty if it is not valid UTF-8.
std::wstring widen(std::string_view text) {
  if (text.empty()) return {};
  const int size = ::MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, text.data(),
                                         static_cast<int>(text.size()), nullptr, 0);
  if (size <= 0) return {};
  std::wstring wide(static_cast<std::size_t>(size), L'\0');
  ::MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, text.data(), static_cast<int>(text.size()),
                        wide.data(), size);
  return wide;
}

void name_thread(HANDLE thread, std::string_view name) noexcept {
  try {
    const std::wstring wide = widen(name);
    if (!wide.empty()) ::SetThreadDescription(thread, wide.c_str());
  } catch (...) {
    // Out of memory for the name: the thread keeps none, which is only cosmetic.
  }
}

// Pins to CPU `cpu` as numbered by affinity_cpus() (cpus_windows.cpp): group by group, 64
// per group. A refusal leaves the thread unpinned, as pthread_attr_setaffinity_np's would.
void pin(HANDLE thread, long cpu) noexcept {
  GROUP_AFFINITY affinity{};
  const CpuNumber number = cpu_number(static_cast<unsigned>(cpu));
  affinity.Group = number.group;
  affinity.Mask = KAFFINITY{1} << number.index;
  ::SetThreadGroupAffinity(thread, &affinity, nullptr);
}

}  // namespace

void JoinOnDelete::operator()(NativeThread* thread) const noexcept {
  ::WaitForSingleObject(thread->handle, INFINITE);
  ::CloseHandle(thread->handle);
  delete thread;
}

// _beginthreadex rather than CreateThread: the C runtime sets up its per-thread state for
// threads it starts. The thread starts suspended so that its affinity and name are in place
// before it runs a line of the caller's code, as pthread attributes are on Linux. The stack
// size is a reservation (what pthread_attr_setstacksize sets): committed as it is touched.
JoinableThread start_thread(const ThreadSpec& spec, ThreadEntry entry, void* argument) {
  auto thread = std::make_unique<NativeThread>(NativeThread{entry, argument});
  if (spec.stack_size > 0xFFFFFFFFu) {
    throw std::system_error(EINVAL, std::generic_category(),
                            "weft: invalid thread_stack_size " + std::to_string(spec.stack_size));
  }
  errno = 0;
  const std::uintptr_t handle =
      ::_beginthreadex(nullptr, static_cast<unsigned>(spec.stack_size), &run, thread.get(),
                       CREATE_SUSPENDED | STACK_SIZE_PARAM_IS_A_RESERVATION, nullptr);
  if (handle == 0) {
    // _beginthreadex reports through errno: EAGAIN for too many threads or no memory for
    // the stack, EINVAL for a stack size it refuses.
    const int err = errno != 0 ? errno : EAGAIN;
    throw std::system_error(err, std::generic_category(), "weft: cannot start a thread");
  }
  thread->handle = reinterpret_cast<HANDLE>(handle);
  if (spec.pin_to_cpu >= 0) pin(thread->handle, spec.pin_to_cpu);
  name_thread(thread->handle, spec.name);
  ::ResumeThread(thread->handle);
  return JoinableThread(thread.release());
}

void name_current_thread(std::string_view name) noexcept {
  name_thread(::GetCurrentThread(), name);
}

}  // namespace weft::platform
