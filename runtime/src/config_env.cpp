// Config::Builder::from_env: maps WEFT_<KEY> variables to keys and hands each value, as text, to
// its key in config_keys.cpp.

#include <weft/runtime/config.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "config_keys.hpp"
#include "environment.hpp"

namespace weft {

namespace {

using config_detail::concat;

constexpr std::string_view kPrefix = "WEFT_";

std::string env_name(std::string_view key) {
  std::string name(kPrefix);
  for (const char c : key) name += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  return name;
}

std::string key_name(std::string_view variable) {
  std::string key;
  for (const char c : variable.substr(kPrefix.size())) {
    key += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return key;
}

// The key WEFT_<KEY> sets. Matching is exact: environment names are case-sensitive, and
// accepting "WEFT_Worker_Threads" would make the documented names a suggestion.
const config_detail::KeyDef* find_variable(std::string_view variable) {
  const auto keys = config_detail::keys();
  const auto key = std::ranges::find_if(
      keys, [&](const config_detail::KeyDef& k) { return env_name(k.name) == variable; });
  return key == keys.end() ? nullptr : &*key;
}

[[noreturn]] void reject_unknown(std::string_view variable, const std::string& where) {
  if (const auto* known = find_variable(variable); known != nullptr) {
    throw ConfigError(std::string(variable), where,
                      concat(where, ": ", known->name,
                             " can only be set in code (Config::Builder), not in the environment"));
  }
  std::string message = concat(where, ": unknown variable");
  if (const auto suggestion = config_detail::closest_key(key_name(variable))) {
    message += concat(" (did you mean ", env_name(*suggestion), "?)");
  }
  throw ConfigError(std::string(variable), where, message);
}

}  // namespace

Config::Builder& Config::Builder::from_env() {
  return from_env(environment_variables(kPrefix));
}

Config::Builder& Config::Builder::from_env(const std::map<std::string, std::string>& vars) {
  // Applied to copies so that a rejected variable leaves the builder as it was.
  Config config = config_;
  config_detail::Origins origins = origins_;
  for (const auto& [variable, value] : vars) {
    if (!variable.starts_with(kPrefix)) continue;  // other programs' variables
    const std::string where = concat("env ", variable);
    const config_detail::KeyDef* key = find_variable(variable);
    if (key == nullptr || key->builder_only()) reject_unknown(variable, where);
    config_detail::assign(*key, config_detail::Text{value}, where, config, origins);
  }
  config_ = std::move(config);
  origins_ = std::move(origins);
  return *this;
}

}  // namespace weft
