#pragma once
// Building error texts. concat() instead of `"literal" + std::string`, which GCC 12 at -O2
// and above reports as a bogus -Wrestrict overlap (GCC bug 105651).

#include <initializer_list>
#include <string>
#include <string_view>

namespace weft::net::detail {

inline std::string concat(std::initializer_list<std::string_view> parts) {
  std::size_t size = 0;
  for (const std::string_view part : parts) size += part.size();
  std::string text;
  text.reserve(size);
  for (const std::string_view part : parts) text.append(part);
  return text;
}

}  // namespace weft::net::detail
