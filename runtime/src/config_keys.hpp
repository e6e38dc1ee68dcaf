#pragma once
// The one table of configuration keys shared by the TOML reader, the environment reader,
// validation and Config::describe(): each key knows how to read a value from any source, how to
// check its range and how to print itself. Adding a key means adding one row (config_keys.cpp).

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>

#include <weft/runtime/config.hpp>

namespace weft::config_detail {

// An environment variable's value: text that each key interprets as its own type.
struct Text {
  std::string_view text;
};
// A TOML value of a type no key accepts (float, array, table, date...), kept for the message.
struct OtherType {
  std::string_view name;
};
// A value as a source hands it over, before conversion to the field's type. TOML values arrive
// typed (integer, boolean, string); environment values arrive as Text.
using RawValue = std::variant<std::int64_t, bool, std::string_view, Text, OtherType>;

struct KeyDef {
  std::string_view name;
  // Converts `value` and stores it in the field; throws ValueError. Null for builder-only keys.
  void (*assign)(Config& config, const RawValue& value);
  // What is wrong with the field's current value ("must be >= 1, got 0"), if anything.
  std::optional<std::string> (*check)(const Config& config);
  // The field as a TOML value for describe(). Null for builder-only keys.
  std::string (*format)(const Config& config);

  bool builder_only() const { return assign == nullptr; }
};

// Why a value cannot be used, without the key or source: "must be an integer, got string".
// Thrown by KeyDef::assign; assign() below adds the key and source and rethrows a ConfigError.
struct ValueError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Joins the pieces of a message. Appending (rather than `"literal" + std::string`) also keeps
// GCC 12 at -O3 from a false -Wrestrict (GCC bug 105329).
template <class... Pieces>
std::string concat(const Pieces&... pieces) {
  std::string text;
  (text.append(std::string_view(pieces)), ...);
  return text;
}

// Key -> the source of its current value (the Builder's bookkeeping).
using Origins = std::map<std::string, std::string, std::less<>>;

std::span<const KeyDef> keys();
// The key with this name (builder-only keys included), or nullptr.
const KeyDef* find_key(std::string_view name);
// The settable key closest to a misspelled `name`, if one is close enough to suggest.
std::optional<std::string_view> closest_key(std::string_view name);

// Converts `value` for `key`, stores it and records `source` as its origin. Throws ConfigError
// "<source>: <key> <problem>" when the value cannot be read.
void assign(const KeyDef& key, const RawValue& value, const std::string& source, Config& config,
            Origins& origins);

// Throws ConfigError for the first key (in table order) whose value is out of range, naming the
// source `origin_of(key)` returns.
template <class OriginOf>
void validate(const Config& config, OriginOf&& origin_of) {
  for (const KeyDef& key : keys()) {
    if (std::optional<std::string> problem = key.check(config)) {
      const std::string source{origin_of(key.name)};
      throw ConfigError(std::string(key.name), source,
                        concat(source, ": ", key.name, " ", *problem));
    }
  }
}

}  // namespace weft::config_detail
