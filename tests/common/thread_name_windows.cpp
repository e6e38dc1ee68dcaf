#include <windows.h>

#include <string>

#include "thread_name.hpp"

namespace weft_test {

const std::size_t kThreadNameLimit = std::string::npos;

// GetThreadDescription is looked up at run time, as weft looks up SetThreadDescription: older
// mingw-w64 headers do not declare it.
std::string current_thread_name() {
  using Fn = HRESULT(WINAPI*)(HANDLE, PWSTR*);
  const HMODULE kernel = ::GetModuleHandleW(L"kernel32.dll");
  const auto describe = reinterpret_cast<Fn>(
      reinterpret_cast<void (*)()>(::GetProcAddress(kernel, "GetThreadDescription")));
  if (describe == nullptr) return {};
  PWSTR wide = nullptr;
  if (FAILED(describe(::GetCurrentThread(), &wide)) || wide == nullptr) return {};
  const int size = ::WideCharToMultiByte(CP_UTF8, 0, wide, -1, nullptr, 0, nullptr, nullptr);
  std::string name(size > 0 ? static_cast<std::size_t>(size) : 1, '\0');
  ::WideCharToMultiByte(CP_UTF8, 0, wide, -1, name.data(), size, nullptr, nullptr);
  ::LocalFree(wide);
  name.resize(name.size() - 1);  // the terminator
  return name;
}

}  // namespace weft_test
