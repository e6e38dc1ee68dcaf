// Config::Builder::from_file / from_toml_string: finds the settings in a TOML document (at top
// level or under [runtime]) and hands each to its key in config_keys.cpp.

#include <weft/runtime/config.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <toml++/toml.h>

#include "config_keys.hpp"

namespace weft {

namespace {

using config_detail::concat;
using config_detail::RawValue;

// The whole file, or ConfigError "cannot read config file '<path>': <reason>".
std::string read_file(const std::filesystem::path& path) {
  const auto fail = [&](int error) -> ConfigError {
    return ConfigError(
        "", path.string(),
        concat("cannot read config file '", path.string(), "': ", std::strerror(error)));
  };
  // stdio rather than iostreams because it reports why through errno (ENOENT, EACCES, EISDIR).
  // path.string(): fopen takes char, which path::c_str() is not on Windows (wchar_t).
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(
      std::fopen(path.string().c_str(), "rb"), &std::fclose);
  if (!file) throw fail(errno);
  std::string text;
  char buffer[4096];
  std::size_t count = 0;
  while ((count = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) text.append(buffer, count);
  if (std::ferror(file.get())) throw fail(errno);
  return text;
}

toml::table parse(std::string_view text, const std::string& source_name) {
  try {
    return toml::parse(text, std::string_view(source_name));
  } catch (const toml::parse_error& error) {
    const toml::source_position& at = error.source().begin;
    const std::string where =
        concat(source_name, ":", std::to_string(at.line), ":", std::to_string(at.column));
    throw ConfigError("", where, concat(where, ": ", error.description()));
  }
}

std::string_view type_name(toml::node_type type) {
  switch (type) {
    case toml::node_type::table:
      return "table";
    case toml::node_type::array:
      return "array";
    case toml::node_type::string:
      return "string";
    case toml::node_type::integer:
      return "integer";
    case toml::node_type::floating_point:
      return "float";
    case toml::node_type::boolean:
      return "boolean";
    case toml::node_type::date:
      return "date";
    case toml::node_type::time:
      return "time";
    case toml::node_type::date_time:
      return "date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

RawValue raw_value(const toml::node& node) {
  if (const auto* number = node.as_integer()) return number->get();
  if (const auto* flag = node.as_boolean()) return flag->get();
  if (const auto* text = node.as_string()) return std::string_view(text->get());
  return config_detail::OtherType{type_name(node.type())};
}

// One `key = value` of the document, wherever it sits.
struct Setting {
  std::string_view key;
  const toml::node* value;
  std::uint32_t line;
};

std::string at_line(const std::string& source_name, std::uint32_t line) {
  return concat(source_name, ":", std::to_string(line));
}

// The settings at top level and under [runtime], in document order so that the first problem
// in the file is the one reported (toml++ iterates tables in key order).
std::vector<Setting> settings_of(const toml::table& root, const std::string& source_name) {
  std::vector<Setting> settings;
  const auto add = [&](const toml::key& key, const toml::node& value) {
    settings.push_back({key.str(), &value, key.source().begin.line});
  };
  for (const auto& [key, value] : root) {
    if (key.str() != "runtime") {
      add(key, value);
      continue;
    }
    const toml::table* section = value.as_table();
    if (section == nullptr) {
      const std::string where = at_line(source_name, key.source().begin.line);
      throw ConfigError("runtime", where,
                        concat(where, ": runtime must be a table, got ", type_name(value.type())));
    }
    for (const auto& [inner_key, inner_value] : *section) add(inner_key, inner_value);
  }
  std::ranges::stable_sort(settings, {}, &Setting::line);
  return settings;
}

// A key both at top level and under [runtime] is a mistake whichever copy was meant to win.
void reject_duplicates(const std::vector<Setting>& settings, const std::string& source_name) {
  std::map<std::string_view, std::uint32_t> first_line;
  for (const Setting& setting : settings) {
    const auto [first, inserted] = first_line.try_emplace(setting.key, setting.line);
    if (inserted) continue;
    const std::string where = at_line(source_name, setting.line);
    throw ConfigError(std::string(setting.key), where,
                      concat(where, ": ", setting.key, " is set twice (also at line ",
                             std::to_string(first->second), ")"));
  }
}

[[noreturn]] void reject_unknown(std::string_view key, const std::string& where) {
  if (const auto* known = config_detail::find_key(key); known != nullptr) {
    throw ConfigError(
        std::string(key), where,
        concat(where, ": ", key, " can only be set in code (Config::Builder), not in a file"));
  }
  std::string message = concat(where, ": unknown key '", key, "'");
  if (const auto suggestion = config_detail::closest_key(key)) {
    message += concat(" (did you mean '", *suggestion, "'?)");
  }
  throw ConfigError(std::string(key), where, message);
}

}  // namespace

Config::Builder& Config::Builder::from_file(const std::filesystem::path& path) {
  return from_toml_string(read_file(path), path.string());
}

Config::Builder& Config::Builder::from_toml_string(std::string_view text, std::string source_name) {
  const toml::table root = parse(text, source_name);
  const std::vector<Setting> settings = settings_of(root, source_name);
  reject_duplicates(settings, source_name);

  // Applied to copies so that a rejected file leaves the builder as it was.
  Config config = config_;
  config_detail::Origins origins = origins_;
  for (const Setting& setting : settings) {
    const std::string where = at_line(source_name, setting.line);
    const config_detail::KeyDef* key = config_detail::find_key(setting.key);
    if (key == nullptr || key->builder_only()) reject_unknown(setting.key, where);
    config_detail::assign(*key, raw_value(*setting.value), where, config, origins);
  }
  config_ = std::move(config);
  origins_ = std::move(origins);
  return *this;
}

}  // namespace weft
