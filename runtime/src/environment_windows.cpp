#include <windows.h>

#include <memory>

#include "environment.hpp"

namespace weft {

namespace {

struct EnvironmentBlockDeleter {
  void operator()(wchar_t* block) const noexcept { ::FreeEnvironmentStringsW(block); }
};

std::string to_utf8(std::wstring_view text) {
  if (text.empty()) return {};
  const int size = ::WideCharToMultiByte(CP_UTF8, 0, text.data(), static_cast<int>(text.size()),
                                         nullptr, 0, nullptr, nullptr);
  std::string utf8(static_cast<std::size_t>(size > 0 ? size : 0), '\0');
  if (size > 0) {
    ::WideCharToMultiByte(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), utf8.data(), size,
                          nullptr, nullptr);
  }
  return utf8;
}

}  // namespace

// The block is "NAME=value\0NAME=value\0...\0". Entries whose name starts with '=' (the
// per-drive current directories, "=C:=C:\dir") never match a prefix that does not.
// Windows compares variable names case-insensitively, but weft's names are documented in
// upper case and matched exactly, on every platform.
std::map<std::string, std::string> environment_variables(std::string_view prefix) {
  std::map<std::string, std::string> variables;
  const std::unique_ptr<wchar_t, EnvironmentBlockDeleter> block(::GetEnvironmentStringsW());
  if (!block) return variables;
  for (const wchar_t* entry = block.get(); *entry != L'\0';) {
    const std::wstring_view wide(entry);
    entry += wide.size() + 1;
    const std::string text = to_utf8(wide);
    const std::size_t equals = text.find('=');
    if (text.starts_with(prefix) && equals != std::string::npos) {
      variables.emplace(text.substr(0, equals), text.substr(equals + 1));
    }
  }
  return variables;
}

}  // namespace weft
