#include <windows.h>

#include "under_wine.hpp"

namespace weft_test {

// Wine's ntdll exports wine_get_version; Windows' does not.
bool running_under_wine() {
  const HMODULE ntdll = ::GetModuleHandleW(L"ntdll.dll");
  return ntdll != nullptr && ::GetProcAddress(ntdll, "wine_get_version") != nullptr;
}

}  // namespace weft_test
