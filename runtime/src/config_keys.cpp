#include "config_keys.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstddef>
#include <limits>
#include <type_traits>
#include <utility>
#include <vector>

namespace weft::config_detail {

namespace {

// ---- Reading values --------------------------------------------------------------------------
// Every reader accepts a RawValue from either source, so TOML and the environment share one
// definition of what each key accepts.

// An integer as written, before it is fitted to a field. Sign and magnitude are kept apart so
// that "-5" and "99999999999999999999" get range messages rather than syntax ones.
struct WrittenInteger {
  bool negative = false;
  std::optional<std::uint64_t> magnitude;  // empty when it does not fit in 64 bits
  std::string shown;                       // as messages quote it: 5, '2MiB'
};

// The bounds of a key, and `limit`, the largest value its field's type can hold. Readers reject
// only what does not fit the type; the key's own range is checked at build(), so that a later
// source can still replace an out-of-range value.
struct Bounds {
  std::uint64_t min;
  std::uint64_t max;
  std::uint64_t limit;
};

// A unit suffix and the number of base units (bytes, milliseconds) it stands for.
struct Unit {
  std::string_view suffix;
  std::uint64_t factor;
};

constexpr std::uint64_t kKiB = 1024;
constexpr std::uint64_t kMiB = 1024 * kKiB;
constexpr std::uint64_t kGiB = 1024 * kMiB;
constexpr std::uint64_t kSecond = 1000;
constexpr std::uint64_t kMinute = 60 * kSecond;
constexpr std::uint64_t kHour = 60 * kMinute;

constexpr std::array<Unit, 1> kNoUnits{{{"", 1}}};
constexpr std::array<Unit, 7> kSizeUnits{
    {{"", 1}, {"k", kKiB}, {"kib", kKiB}, {"m", kMiB}, {"mib", kMiB}, {"g", kGiB}, {"gib", kGiB}}};
constexpr std::array<Unit, 5> kDurationUnits{
    {{"", 1}, {"ms", 1}, {"s", kSecond}, {"m", kMinute}, {"h", kHour}}};

// Just above glibc's PTHREAD_STACK_MIN (16 KiB) with room to run; a smaller number is almost
// always a forgotten unit ("64" meant as "64KiB").
constexpr std::uint64_t kMinStackSize = 65536;
constexpr std::size_t kMaxThreadNameLength = 15;  // Linux's limit, without the terminating NUL

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) {
    return (x >= 'A' && x <= 'Z' ? x - 'A' + 'a' : x) == (y >= 'A' && y <= 'Z' ? y - 'A' + 'a' : y);
  });
}

std::string quoted(std::string_view text) {
  return concat("'", text, "'");
}

std::string_view type_name(const RawValue& value) {
  if (std::holds_alternative<std::int64_t>(value)) return "integer";
  if (std::holds_alternative<bool>(value)) return "boolean";
  if (std::holds_alternative<std::string_view>(value)) return "string";
  if (const auto* other = std::get_if<OtherType>(&value)) return other->name;
  return "text";
}

// The text a value carries, whether it is a TOML string or an environment variable.
std::optional<std::string_view> text_of(const RawValue& value) {
  if (const auto* s = std::get_if<std::string_view>(&value)) return *s;
  if (const auto* t = std::get_if<Text>(&value)) return t->text;
  return std::nullopt;
}

WrittenInteger written(std::int64_t value) {
  // Negating in unsigned arithmetic is defined for INT64_MIN too.
  const auto bits = static_cast<std::uint64_t>(value);
  return {value < 0, value < 0 ? 0 - bits : bits, std::to_string(value)};
}

// Parses "[-]<digits>[<unit>]" (unit case-insensitive); nullopt when the text has another form.
std::optional<WrittenInteger> parse_scaled(std::string_view text, std::span<const Unit> units) {
  std::string_view rest = text;
  const bool negative = rest.starts_with('-');
  if (negative) rest.remove_prefix(1);
  const std::string_view digits = rest.substr(0, rest.find_first_not_of("0123456789"));
  if (digits.empty()) return std::nullopt;
  const std::string_view suffix = rest.substr(digits.size());
  const auto unit = std::ranges::find_if(
      units, [&](const Unit& u) { return equals_ignoring_case(u.suffix, suffix); });
  if (unit == units.end()) return std::nullopt;

  WrittenInteger result{negative, std::nullopt, quoted(text)};
  std::uint64_t number = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
  if (error == std::errc{} && number <= std::numeric_limits<std::uint64_t>::max() / unit->factor) {
    result.magnitude = number * unit->factor;
  }
  return result;
}

std::uint64_t fit(const WrittenInteger& value, const Bounds& bounds) {
  if (value.negative && value.magnitude != 0u) {
    throw ValueError(concat("must be >= ", std::to_string(bounds.min), ", got ", value.shown));
  }
  if (!value.magnitude || *value.magnitude > bounds.limit) {
    throw ValueError(concat("must be <= ", std::to_string(bounds.max), ", got ", value.shown));
  }
  return *value.magnitude;
}

std::uint64_t read_unsigned(const RawValue& value, const Bounds& bounds) {
  if (const auto* number = std::get_if<std::int64_t>(&value)) return fit(written(*number), bounds);
  if (const auto* text = std::get_if<Text>(&value)) {
    if (auto number = parse_scaled(text->text, kNoUnits)) return fit(*number, bounds);
    const char* expected = bounds.min > 0 ? "a positive integer" : "a non-negative integer";
    throw ValueError(concat("must be ", expected, ", got ", quoted(text->text)));
  }
  throw ValueError(concat("must be an integer, got ", type_name(value)));
}

// Sizes and durations: an integer in the base unit, or text with a unit suffix.
std::uint64_t read_scaled(const RawValue& value, std::span<const Unit> units, const Bounds& bounds,
                          std::string_view expected) {
  if (const auto* number = std::get_if<std::int64_t>(&value)) return fit(written(*number), bounds);
  if (const std::optional<std::string_view> text = text_of(value)) {
    if (auto number = parse_scaled(*text, units)) return fit(*number, bounds);
    throw ValueError(concat("must be ", expected, ", got ", quoted(*text)));
  }
  throw ValueError(concat("must be ", expected, ", got ", type_name(value)));
}

bool read_bool(const RawValue& value) {
  if (const auto* flag = std::get_if<bool>(&value)) return *flag;
  if (const auto* text = std::get_if<Text>(&value)) {
    static constexpr std::pair<std::string_view, bool> kWords[] = {
        {"true", true}, {"false", false}, {"1", true},  {"0", false},
        {"yes", true},  {"no", false},    {"on", true}, {"off", false}};
    for (const auto& [word, flag] : kWords) {
      if (equals_ignoring_case(word, text->text)) return flag;
    }
    throw ValueError(
        concat("must be a boolean (true/false, 1/0, yes/no, on/off), got ", quoted(text->text)));
  }
  throw ValueError(concat("must be a boolean, got ", type_name(value)));
}

std::string read_string(const RawValue& value) {
  if (const std::optional<std::string_view> text = text_of(value)) return std::string(*text);
  throw ValueError(concat("must be a string, got ", type_name(value)));
}

// ---- Printing values as TOML ------------------------------------------------------------------

std::string toml_string(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "\"";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte == 0x7F) {  // TOML forbids raw control characters
      out += "\\u00";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// The largest unit that divides `amount` exactly, so that logs read "2MiB" and "10s" rather
// than 2097152 and 10000; amounts no unit divides print in the base unit.
std::string with_unit(std::int64_t amount, std::span<const Unit> units_largest_first) {
  for (const Unit& unit : units_largest_first) {
    if (amount != 0 && amount % static_cast<std::int64_t>(unit.factor) == 0) {
      const std::int64_t count = amount / static_cast<std::int64_t>(unit.factor);
      return concat("\"", std::to_string(count), unit.suffix, "\"");
    }
  }
  return std::to_string(amount);
}

std::string format_size(std::size_t bytes) {
  static constexpr std::array<Unit, 3> kUnits{{{"GiB", kGiB}, {"MiB", kMiB}, {"KiB", kKiB}}};
  if (bytes > static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max())) {
    return std::to_string(bytes);
  }
  return with_unit(static_cast<std::int64_t>(bytes), kUnits);
}

std::string format_duration(std::chrono::milliseconds duration) {
  static constexpr std::array<Unit, 4> kUnits{
      {{"h", kHour}, {"m", kMinute}, {"s", kSecond}, {"ms", 1}}};
  if (duration.count() == 0) return "\"0ms\"";
  return with_unit(duration.count(), kUnits);
}

// ---- The keys ---------------------------------------------------------------------------------

std::optional<std::string> check_range(std::uint64_t value, std::uint64_t min, std::uint64_t max) {
  if (value < min)
    return concat("must be >= ", std::to_string(min), ", got ", std::to_string(value));
  if (value > max)
    return concat("must be <= ", std::to_string(max), ", got ", std::to_string(value));
  return std::nullopt;
}

template <auto Field>
using FieldType = std::remove_cvref_t<decltype(std::declval<Config&>().*Field)>;

// A key holding an unsigned integer in [Min, Max]; Max defaults to the field type's maximum.
template <auto Field, std::uint64_t Min,
          std::uint64_t Max = std::numeric_limits<FieldType<Field>>::max()>
constexpr KeyDef unsigned_key(std::string_view name) {
  using T = FieldType<Field>;
  return {name,
          [](Config& config, const RawValue& value) {
            config.*Field =
                static_cast<T>(read_unsigned(value, {Min, Max, std::numeric_limits<T>::max()}));
          },
          [](const Config& config) { return check_range(config.*Field, Min, Max); },
          [](const Config& config) { return std::to_string(config.*Field); }};
}

constexpr KeyDef kThreadNamePrefix{
    "thread_name_prefix",
    [](Config& config, const RawValue& value) { config.thread_name_prefix = read_string(value); },
    [](const Config& config) -> std::optional<std::string> {
      const std::size_t length = config.thread_name_prefix.size();
      if (length == 0) return "must not be empty";
      if (length > kMaxThreadNameLength) {
        return concat("must be at most ", std::to_string(kMaxThreadNameLength), " characters, got ",
                      std::to_string(length), " ('", config.thread_name_prefix, "')");
      }
      return std::nullopt;
    },
    [](const Config& config) { return toml_string(config.thread_name_prefix); }};

constexpr KeyDef kThreadStackSize{
    "thread_stack_size",
    [](Config& config, const RawValue& value) {
      constexpr std::uint64_t kLimit = std::numeric_limits<std::size_t>::max();
      config.thread_stack_size = static_cast<std::size_t>(read_scaled(
          value, kSizeUnits, {0, kLimit, kLimit}, "a byte count like 65536 or \"2MiB\""));
    },
    [](const Config& config) -> std::optional<std::string> {
      const std::size_t bytes = config.thread_stack_size;
      if (bytes != 0 && bytes < kMinStackSize) {
        return concat("must be 0 (the system default) or >= ", std::to_string(kMinStackSize),
                      ", got ", std::to_string(bytes));
      }
      if (bytes > Config::thread_stack_size_limit) {
        return concat("must be <= ", std::to_string(Config::thread_stack_size_limit),
                      " (1GiB), got ", std::to_string(bytes));
      }
      return std::nullopt;
    },
    [](const Config& config) { return format_size(config.thread_stack_size); }};

constexpr KeyDef kPinThreads{
    "pin_threads",
    [](Config& config, const RawValue& value) { config.pin_threads = read_bool(value); },
    [](const Config&) -> std::optional<std::string> { return std::nullopt; },
    [](const Config& config) { return std::string(config.pin_threads ? "true" : "false"); }};

constexpr std::pair<std::string_view, ReactorMode> kReactorModes[] = {
    {"dedicated", ReactorMode::dedicated}, {"shared", ReactorMode::shared}};

constexpr KeyDef kReactorMode{
    "reactor_mode",
    [](Config& config, const RawValue& value) {
      const std::optional<std::string_view> text = text_of(value);
      if (!text) throw ValueError(concat("must be a string, got ", type_name(value)));
      for (const auto& [name, mode] : kReactorModes) {
        if (equals_ignoring_case(name, *text)) {
          config.reactor_mode = mode;
          return;
        }
      }
      throw ValueError(concat("must be \"dedicated\" or \"shared\", got ", quoted(*text)));
    },
    [](const Config& config) -> std::optional<std::string> {
      for (const auto& entry : kReactorModes) {
        if (entry.second == config.reactor_mode) return std::nullopt;
      }
      return concat("must be dedicated or shared, got ",
                    std::to_string(static_cast<int>(config.reactor_mode)));
    },
    [](const Config& config) {
      for (const auto& [name, mode] : kReactorModes) {
        if (mode == config.reactor_mode) return toml_string(name);
      }
      return std::string("\"?\"");
    }};

// Any backend's name is read; one this build lacks is refused by the check, so that a value set
// in code is refused the same way.
constexpr KeyDef kIoBackend{
    "io_backend",
    [](Config& config, const RawValue& value) {
      const std::optional<std::string_view> text = text_of(value);
      if (!text) throw ValueError(concat("must be a string, got ", type_name(value)));
      std::string lower(*text);
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      const std::optional<io::IoBackend> backend = io::parse_io_backend(lower);
      if (!backend) {
        throw ValueError(
            concat("must be one of ", io::available_io_backend_names(), ", got ", quoted(*text)));
      }
      config.io_backend = *backend;
    },
    [](const Config& config) -> std::optional<std::string> {
      if (io::is_available(config.io_backend)) return std::nullopt;
      return concat("must be one of ", io::available_io_backend_names(), " (this build has no ",
                    io::to_string(config.io_backend), ")");
    },
    [](const Config& config) { return toml_string(io::to_string(config.io_backend)); }};

// A key holding a duration in [0, Max], written in milliseconds or with a unit.
template <auto Field, std::uint64_t Max>
constexpr KeyDef duration_key(std::string_view name) {
  return {
      name,
      [](Config& config, const RawValue& value) {
        constexpr auto kLimit =
            static_cast<std::uint64_t>(std::chrono::milliseconds::max().count());
        config.*Field =
            std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(read_scaled(
                value, kDurationUnits, {0, Max, kLimit},
                "milliseconds like 500 or a duration like \"500ms\", \"10s\", \"5m\", \"1h\"")));
      },
      [](const Config& config) -> std::optional<std::string> {
        const std::int64_t ms = (config.*Field).count();
        if (ms < 0) return concat("must be >= 0ms, got ", std::to_string(ms), "ms");
        if (static_cast<std::uint64_t>(ms) > Max) {
          return concat("must be <= ", std::to_string(Max), "ms, got ", std::to_string(ms), "ms");
        }
        return std::nullopt;
      },
      [](const Config& config) { return format_duration(config.*Field); }};
}

constexpr KeyDef kUnhandledExceptionHandler{"unhandled_exception_handler", nullptr,
                                            [](const Config& config) -> std::optional<std::string> {
                                              if (!config.unhandled_exception_handler)
                                                return "must not be empty";
                                              return std::nullopt;
                                            },
                                            nullptr};

// In the order of Config's fields, which is the order describe() prints and validate() checks.
constexpr std::array kKeys{
    unsigned_key<&Config::worker_threads, 1, Config::worker_threads_limit>("worker_threads"),
    kThreadNamePrefix,
    kThreadStackSize,
    kPinThreads,
    unsigned_key<&Config::global_queue_interval, 1, 1'000'000>("global_queue_interval"),
    unsigned_key<&Config::lifo_cap, 0, 1024>("lifo_cap"),
    unsigned_key<&Config::event_budget, 1, 1'000'000>("event_budget"),
    kReactorMode,
    kIoBackend,
    unsigned_key<&Config::max_blocking_threads, 1, Config::blocking_threads_limit>(
        "max_blocking_threads"),
    duration_key<&Config::blocking_keep_alive,
                 static_cast<std::uint64_t>(std::chrono::milliseconds::max().count())>(
        "blocking_keep_alive"),
    unsigned_key<&Config::compute_threads, 0, Config::compute_threads_limit>("compute_threads"),
    duration_key<&Config::memory_release_interval, kHour>("memory_release_interval"),
    kUnhandledExceptionHandler,
};

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Levenshtein distance with one row of the table; names are short.
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t substitution = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      diagonal = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitution});
    }
  }
  return row[b.size()];
}

}  // namespace

std::span<const KeyDef> keys() {
  return kKeys;
}

const KeyDef* find_key(std::string_view name) {
  const auto key = std::ranges::find(kKeys, name, &KeyDef::name);
  return key == kKeys.end() ? nullptr : &*key;
}

std::optional<std::string_view> closest_key(std::string_view name) {
  // Close enough to be a typo: two edits, or a third of the name for long names.
  const std::size_t tolerance = std::max<std::size_t>(2, name.size() / 3);
  std::optional<std::string_view> best;
  std::size_t best_distance = tolerance + 1;
  for (const KeyDef& key : kKeys) {
    if (key.builder_only()) continue;
    const std::size_t distance = edit_distance(name, key.name);
    if (distance < best_distance) {
      best = key.name;
      best_distance = distance;
    }
  }
  return best;
}

void assign(const KeyDef& key, const RawValue& value, const std::string& source, Config& config,
            Origins& origins) {
  try {
    key.assign(config, value);
  } catch (const ValueError& error) {
    throw ConfigError(std::string(key.name), source,
                      concat(source, ": ", key.name, " ", error.what()));
  }
  origins.insert_or_assign(std::string(key.name), source);
}

}  // namespace weft::config_detail
