// weft::Config through its public API: defaults, builder setters, TOML and environment sources,
// precedence, every kind of error (message names key and source), and describe().

#include <weft/runtime/config.hpp>
#include <weft/scheduler/usable_cpus.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>

#include "../common/test_env.hpp"

namespace weft {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using Env = std::map<std::string, std::string>;

// ---- Helpers ----------------------------------------------------------------------------------

Config from_toml(std::string_view text) {
  return Config::builder().from_toml_string(text, "weft.toml").build();
}

Config from_env_map(const Env& vars) {
  return Config::builder().from_env(vars).build();
}

// The ConfigError `action` throws; a test failure if it throws nothing.
template <class Action>
ConfigError error_from(Action&& action) {
  try {
    action();
  } catch (const ConfigError& error) {
    return error;
  }
  ADD_FAILURE() << "expected a ConfigError";
  return ConfigError("", "", "");
}

ConfigError toml_error(std::string_view text) {
  return error_from([&] { from_toml(text); });
}

ConfigError env_error(const Env& vars) {
  return error_from([&] { from_env_map(vars); });
}

// Every setting except the exception handler, which std::function cannot compare.
void expect_same_settings(const Config& actual, const Config& expected) {
  EXPECT_EQ(actual.worker_threads, expected.worker_threads);
  EXPECT_EQ(actual.thread_name_prefix, expected.thread_name_prefix);
  EXPECT_EQ(actual.thread_stack_size, expected.thread_stack_size);
  EXPECT_EQ(actual.pin_threads, expected.pin_threads);
  EXPECT_EQ(actual.global_queue_interval, expected.global_queue_interval);
  EXPECT_EQ(actual.lifo_cap, expected.lifo_cap);
  EXPECT_EQ(actual.event_budget, expected.event_budget);
  EXPECT_EQ(actual.reactor_mode, expected.reactor_mode);
  EXPECT_EQ(actual.io_backend, expected.io_backend);
  EXPECT_EQ(actual.max_blocking_threads, expected.max_blocking_threads);
  EXPECT_EQ(actual.blocking_keep_alive, expected.blocking_keep_alive);
  EXPECT_EQ(actual.compute_threads, expected.compute_threads);
  EXPECT_EQ(actual.memory_release_interval, expected.memory_release_interval);
}

// A file in the test's temporary directory, removed when the test ends.
class TempFile {
 public:
  TempFile(const std::string& name, std::string_view contents)
      : path_(std::filesystem::path(::testing::TempDir()) / name) {
    std::ofstream(path_) << contents;
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() { std::filesystem::remove(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// ---- Defaults ---------------------------------------------------------------------------------

TEST(ConfigDefaults, HaveTheDocumentedValues) {
  const Config config = Config::defaults();
  EXPECT_EQ(config.worker_threads, weft::cpu_budget());
  EXPECT_EQ(config.thread_name_prefix, "weft-worker");
  EXPECT_EQ(config.thread_stack_size, 0u);
  EXPECT_FALSE(config.pin_threads);
  EXPECT_EQ(config.global_queue_interval, 61u);
  EXPECT_EQ(config.lifo_cap, 3u);
  EXPECT_EQ(config.event_budget, 128u);
  EXPECT_EQ(config.max_blocking_threads, 512u);
  EXPECT_EQ(config.blocking_keep_alive, 10s);
  EXPECT_EQ(config.compute_threads, 0u);
  EXPECT_TRUE(config.unhandled_exception_handler);
}

TEST(ConfigDefaults, AreValidAndWhatAnEmptyBuilderBuilds) {
  EXPECT_NO_THROW(Config::defaults().validate());
  expect_same_settings(Config::builder().build(), Config::defaults());
  expect_same_settings(Config{}, Config::defaults());
}

TEST(ConfigDefaults, HandlerPrintsTheExceptionAndContinues) {
  ::testing::internal::CaptureStderr();
  Config::defaults().unhandled_exception_handler(
      std::make_exception_ptr(std::runtime_error("disk on fire")));
  EXPECT_EQ(::testing::internal::GetCapturedStderr(),
            "weft: unhandled exception in detached task: disk on fire\n");
}

TEST(ConfigDefaults, HandlerCopesWithNonStandardExceptions) {
  ::testing::internal::CaptureStderr();
  Config::defaults().unhandled_exception_handler(std::make_exception_ptr(42));
  EXPECT_THAT(::testing::internal::GetCapturedStderr(),
              HasSubstr("weft: unhandled exception in detached task:"));
}

// ---- Builder ----------------------------------------------------------------------------------

TEST(ConfigBuilder, EverySetterSetsItsField) {
  int handled = 0;
  const Config config = Config::builder()
                            .worker_threads(3)
                            .thread_name_prefix("io")
                            .thread_stack_size(1 << 20)
                            .pin_threads(true)
                            .global_queue_interval(31)
                            .lifo_cap(0)
                            .event_budget(64)
                            .max_blocking_threads(8)
                            .blocking_keep_alive(250ms)
                            .compute_threads(2)
                            .unhandled_exception_handler([&](std::exception_ptr) { ++handled; })
                            .build();
  EXPECT_EQ(config.worker_threads, 3u);
  EXPECT_EQ(config.thread_name_prefix, "io");
  EXPECT_EQ(config.thread_stack_size, 1u << 20);
  EXPECT_TRUE(config.pin_threads);
  EXPECT_EQ(config.global_queue_interval, 31u);
  EXPECT_EQ(config.lifo_cap, 0u);
  EXPECT_EQ(config.event_budget, 64u);
  EXPECT_EQ(config.max_blocking_threads, 8u);
  EXPECT_EQ(config.blocking_keep_alive, 250ms);
  EXPECT_EQ(config.compute_threads, 2u);
  config.unhandled_exception_handler(nullptr);
  EXPECT_EQ(handled, 1);
}

TEST(ConfigBuilder, LaterSetterWins) {
  EXPECT_EQ(Config::builder().worker_threads(2).worker_threads(5).build().worker_threads, 5u);
}

TEST(ConfigBuilder, RejectsOutOfRangeValuesAtBuildNamingTheBuilder) {
  const ConfigError error = error_from([] { Config::builder().worker_threads(0).build(); });
  EXPECT_EQ(error.key(), "worker_threads");
  EXPECT_EQ(error.source(), "builder");
  EXPECT_STREQ(error.what(), "builder: worker_threads must be >= 1, got 0");
}

TEST(ConfigBuilder, ChecksEveryRange) {
  struct Case {
    Config::Builder builder;
    const char* key;
    const char* problem;
  };
  const Case cases[] = {
      {Config::builder().thread_name_prefix(""), "thread_name_prefix", "must not be empty"},
      {Config::builder().thread_name_prefix("sixteen-chars-xx"), "thread_name_prefix",
       "must be at most 15 characters, got 16"},
      {Config::builder().worker_threads(1025), "worker_threads", "must be <= 1024, got 1025"},
      {Config::builder().thread_stack_size(4096), "thread_stack_size",
       "must be 0 (the system default) or >= 65536, got 4096"},
      {Config::builder().thread_stack_size((1u << 30) + 1), "thread_stack_size",
       "must be <= 1073741824 (1GiB), got 1073741825"},
      {Config::builder().global_queue_interval(0), "global_queue_interval", "must be >= 1, got 0"},
      {Config::builder().global_queue_interval(1'000'001), "global_queue_interval",
       "must be <= 1000000, got 1000001"},
      {Config::builder().lifo_cap(1025), "lifo_cap", "must be <= 1024, got 1025"},
      {Config::builder().event_budget(0), "event_budget", "must be >= 1, got 0"},
      {Config::builder().max_blocking_threads(0), "max_blocking_threads", "must be >= 1, got 0"},
      {Config::builder().max_blocking_threads(10'001), "max_blocking_threads",
       "must be <= 10000, got 10001"},
      {Config::builder().blocking_keep_alive(-1ms), "blocking_keep_alive",
       "must be >= 0ms, got -1ms"},
      {Config::builder().compute_threads(1025), "compute_threads", "must be <= 1024, got 1025"},
      {Config::builder().memory_release_interval(-1ms), "memory_release_interval",
       "must be >= 0ms, got -1ms"},
      {Config::builder().memory_release_interval(3'600'001ms), "memory_release_interval",
       "must be <= 3600000ms, got 3600001ms"},
      {Config::builder().unhandled_exception_handler(nullptr), "unhandled_exception_handler",
       "must not be empty"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.key);
    const ConfigError error = error_from([&] { c.builder.build(); });
    EXPECT_EQ(error.key(), c.key);
    EXPECT_EQ(error.source(), "builder");
    EXPECT_THAT(error.what(), HasSubstr(std::string(c.key) + " " + c.problem));
  }
}

TEST(ConfigBuilder, AcceptsTheEdgesOfEveryRange) {
  EXPECT_NO_THROW(Config::builder()
                      .worker_threads(1)
                      .thread_name_prefix("fifteen-chars-x")
                      .thread_stack_size(65536)
                      .global_queue_interval(1'000'000)
                      .lifo_cap(1024)
                      .event_budget(1)
                      .max_blocking_threads(10'000)
                      .blocking_keep_alive(0ms)
                      .compute_threads(1024)
                      .memory_release_interval(0ms)
                      .build());
  EXPECT_NO_THROW(Config::builder()
                      .worker_threads(Config::worker_threads_limit)
                      .thread_stack_size(Config::thread_stack_size_limit)
                      .memory_release_interval(1h)
                      .build());
}

TEST(ConfigValidate, NamesTheKeyWithSourceConfig) {
  Config config;
  config.lifo_cap = 5000;
  const ConfigError error = error_from([&] { config.validate(); });
  EXPECT_EQ(error.key(), "lifo_cap");
  EXPECT_EQ(error.source(), "config");
  EXPECT_STREQ(error.what(), "config: lifo_cap must be <= 1024, got 5000");
  const Error& base = error;  // catchable with weft's other errors
  EXPECT_THAT(base.what(), HasSubstr("lifo_cap"));
}

// ---- TOML -------------------------------------------------------------------------------------

TEST(ConfigToml, ReadsEveryKeyAtTopLevel) {
  const Config config = from_toml(R"(
worker_threads = 6
thread_name_prefix = "app"
thread_stack_size = "512KiB"
pin_threads = true
global_queue_interval = 17
lifo_cap = 9
event_budget = 256
max_blocking_threads = 64
blocking_keep_alive = "30s"
compute_threads = 4
memory_release_interval = "250ms"
)");
  EXPECT_EQ(config.worker_threads, 6u);
  EXPECT_EQ(config.thread_name_prefix, "app");
  EXPECT_EQ(config.thread_stack_size, 512u * 1024);
  EXPECT_TRUE(config.pin_threads);
  EXPECT_EQ(config.global_queue_interval, 17u);
  EXPECT_EQ(config.lifo_cap, 9u);
  EXPECT_EQ(config.event_budget, 256u);
  EXPECT_EQ(config.max_blocking_threads, 64u);
  EXPECT_EQ(config.blocking_keep_alive, 30s);
  EXPECT_EQ(config.compute_threads, 4u);
  EXPECT_EQ(config.memory_release_interval, 250ms);
}

TEST(ConfigToml, ReadsKeysUnderRuntimeTable) {
  const Config config = from_toml("[runtime]\nworker_threads = 2\npin_threads = true\n");
  EXPECT_EQ(config.worker_threads, 2u);
  EXPECT_TRUE(config.pin_threads);
}

TEST(ConfigToml, MixesTopLevelAndRuntimeTable) {
  const Config config = from_toml("lifo_cap = 7\n[runtime]\nevent_budget = 99\n");
  EXPECT_EQ(config.lifo_cap, 7u);
  EXPECT_EQ(config.event_budget, 99u);
}

TEST(ConfigToml, KeysNotInTheFileKeepTheirValues) {
  const Config config =
      Config::builder().lifo_cap(11).from_toml_string("event_budget = 5\n").build();
  EXPECT_EQ(config.lifo_cap, 11u);
  EXPECT_EQ(config.event_budget, 5u);
  expect_same_settings(from_toml(""), Config::defaults());
}

TEST(ConfigToml, ReadsAFileFromDisk) {
  const TempFile file("weft_config_test_read.toml", "[runtime]\nworker_threads = 3\n");
  EXPECT_EQ(Config::builder().from_file(file.path()).build().worker_threads, 3u);
}

TEST(ConfigToml, StackSizeAcceptsIntegersAndUnitSuffixes) {
  const std::pair<const char*, std::size_t> cases[] = {
      {"65536", 65536},       {"\"65536\"", 65536},
      {"\"64K\"", 64 * 1024}, {"\"64KiB\"", 64 * 1024},
      {"\"2M\"", 2 << 20},    {"\"2MiB\"", 2 << 20},
      {"\"1G\"", 1u << 30},   {"\"1GiB\"", 1u << 30},
      {"\"2mib\"", 2 << 20},  {"0", 0},
  };
  for (const auto& [text, bytes] : cases) {
    SCOPED_TRACE(text);
    EXPECT_EQ(from_toml(std::string("thread_stack_size = ") + text).thread_stack_size, bytes);
  }
}

TEST(ConfigToml, KeepAliveAcceptsMillisecondsAndDurationStrings) {
  const std::pair<const char*, std::chrono::milliseconds> cases[] = {
      {"1500", 1500ms}, {"\"1500\"", 1500ms}, {"\"500ms\"", 500ms}, {"\"10s\"", 10s},
      {"\"2m\"", 2min}, {"\"1h\"", 1h},       {"\"0ms\"", 0ms},
  };
  for (const auto& [text, duration] : cases) {
    SCOPED_TRACE(text);
    EXPECT_EQ(from_toml(std::string("blocking_keep_alive = ") + text).blocking_keep_alive,
              duration);
  }
}

// ---- TOML errors ------------------------------------------------------------------------------

TEST(ConfigTomlErrors, UnknownKeySuggestsTheClosestKey) {
  const ConfigError error = toml_error("lifo_cap = 2\n\nworker_thread = 4\n");
  EXPECT_EQ(error.key(), "worker_thread");
  EXPECT_EQ(error.source(), "weft.toml:3");
  EXPECT_STREQ(error.what(),
               "weft.toml:3: unknown key 'worker_thread' (did you mean 'worker_threads'?)");
}

TEST(ConfigTomlErrors, UnknownKeyWithoutCloseMatchHasNoSuggestion) {
  const ConfigError error = toml_error("[runtime]\ncolour = 'blue'\n");
  EXPECT_STREQ(error.what(), "weft.toml:2: unknown key 'colour'");
}

TEST(ConfigTomlErrors, HandlerCannotBeSetFromAFile) {
  const ConfigError error = toml_error("unhandled_exception_handler = 'abort'\n");
  EXPECT_EQ(error.key(), "unhandled_exception_handler");
  EXPECT_THAT(error.what(), HasSubstr("weft.toml:1: unhandled_exception_handler can only be set"));
}

TEST(ConfigTomlErrors, WrongTypeNamesKeyLineAndTypes) {
  const ConfigError error = toml_error("pin_threads = false\n\nworker_threads = \"8\"\n");
  EXPECT_EQ(error.key(), "worker_threads");
  EXPECT_EQ(error.source(), "weft.toml:3");
  EXPECT_STREQ(error.what(), "weft.toml:3: worker_threads must be an integer, got string");
  EXPECT_THAT(toml_error("lifo_cap = 2.5").what(), HasSubstr("must be an integer, got float"));
  EXPECT_THAT(toml_error("pin_threads = 1").what(),
              HasSubstr("pin_threads must be a boolean, got integer"));
  EXPECT_THAT(toml_error("thread_name_prefix = 7").what(),
              HasSubstr("thread_name_prefix must be a string, got integer"));
  EXPECT_THAT(toml_error("blocking_keep_alive = [1]").what(),
              HasSubstr("blocking_keep_alive must be milliseconds like 500"));
}

TEST(ConfigTomlErrors, OutOfRangeIsReportedAtBuildWithTheFileLine) {
  const ConfigError error = toml_error("# comment\n[runtime]\nworker_threads = 0\n");
  EXPECT_EQ(error.key(), "worker_threads");
  EXPECT_EQ(error.source(), "weft.toml:3");
  EXPECT_STREQ(error.what(), "weft.toml:3: worker_threads must be >= 1, got 0");
}

TEST(ConfigTomlErrors, NegativeNumbersAreRejected) {
  EXPECT_STREQ(toml_error("worker_threads = -2").what(),
               "weft.toml:1: worker_threads must be >= 1, got -2");
  EXPECT_THAT(toml_error("thread_stack_size = \"-2MiB\"").what(),
              HasSubstr("thread_stack_size must be >= 0, got '-2MiB'"));
  EXPECT_THAT(toml_error("blocking_keep_alive = -5").what(),
              HasSubstr("blocking_keep_alive must be >= 0, got -5"));
}

TEST(ConfigTomlErrors, ValuesTooLargeForTheFieldAreRejected) {
  EXPECT_STREQ(toml_error("lifo_cap = 5000000000").what(),
               "weft.toml:1: lifo_cap must be <= 1024, got 5000000000");
  EXPECT_THAT(toml_error("thread_stack_size = \"99999999999GiB\"").what(),
              HasSubstr("thread_stack_size must be <= 18446744073709551615, got '99999999999GiB'"));
  EXPECT_THAT(toml_error("blocking_keep_alive = \"9999999999999999h\"").what(),
              HasSubstr("blocking_keep_alive must be <= "));
}

TEST(ConfigTomlErrors, MalformedSizesAndDurationsQuoteTheText) {
  EXPECT_THAT(toml_error("thread_stack_size = \"2 MB\"").what(),
              HasSubstr("weft.toml:1: thread_stack_size must be a byte count like 65536 or "
                        "\"2MiB\", got '2 MB'"));
  EXPECT_THAT(toml_error("blocking_keep_alive = \"soon\"").what(),
              HasSubstr("blocking_keep_alive must be milliseconds like 500 or a duration like "
                        "\"500ms\""));
}

TEST(ConfigTomlErrors, MalformedFileGivesLineColumnAndParserDescription) {
  const ConfigError error = toml_error("lifo_cap = 2\nworker_threads = \n");
  EXPECT_EQ(error.key(), "");
  EXPECT_EQ(error.source(), "weft.toml:2:18");
  EXPECT_THAT(error.what(), HasSubstr("weft.toml:2:18: "));
  EXPECT_THAT(error.what(), HasSubstr("expected value"));
}

TEST(ConfigTomlErrors, DefaultSourceNameIsString) {
  const ConfigError error =
      error_from([] { Config::builder().from_toml_string("worker_threads = 'x'").build(); });
  EXPECT_EQ(error.source(), "<string>:1");
}

TEST(ConfigTomlErrors, MissingFileSaysWhy) {
  const std::filesystem::path path =
      std::filesystem::path(::testing::TempDir()) / "weft_config_test_missing.toml";
  const ConfigError error = error_from([&] { Config::builder().from_file(path); });
  EXPECT_EQ(error.key(), "");
  EXPECT_EQ(error.source(), path.string());
  EXPECT_STREQ(
      error.what(),
      ("cannot read config file '" + path.string() + "': No such file or directory").c_str());
}

TEST(ConfigTomlErrors, ErrorsInAFileOnDiskNameThePath) {
  const TempFile file("weft_config_test_bad.toml", "\n\nevent_budget = true\n");
  const ConfigError error = error_from([&] { Config::builder().from_file(file.path()); });
  EXPECT_EQ(error.source(), file.path().string() + ":3");
  EXPECT_THAT(error.what(), HasSubstr(":3: event_budget must be an integer, got boolean"));
}

TEST(ConfigTomlErrors, KeySetBothAtTopLevelAndUnderRuntimeIsAnError) {
  const ConfigError error = toml_error("lifo_cap = 1\n[runtime]\nlifo_cap = 2\n");
  EXPECT_EQ(error.key(), "lifo_cap");
  EXPECT_STREQ(error.what(), "weft.toml:3: lifo_cap is set twice (also at line 1)");
}

TEST(ConfigTomlErrors, RuntimeMustBeATable) {
  const ConfigError error = toml_error("runtime = 4\n");
  EXPECT_EQ(error.key(), "runtime");
  EXPECT_STREQ(error.what(), "weft.toml:1: runtime must be a table, got integer");
}

TEST(ConfigTomlErrors, ReportsTheFirstProblemInDocumentOrder) {
  // toml++ iterates keys alphabetically; the report must follow the file instead.
  const ConfigError error = toml_error("worker_threads = 'a'\nlifo_cap = 'b'\n");
  EXPECT_EQ(error.key(), "worker_threads");
}

TEST(ConfigTomlErrors, RejectedFileLeavesTheBuilderUnchanged) {
  Config::Builder builder = Config::builder();
  builder.lifo_cap(4);
  EXPECT_THROW(builder.from_toml_string("lifo_cap = 9\nevent_budget = 'x'\n"), ConfigError);
  EXPECT_EQ(builder.build().lifo_cap, 4u);
}

// ---- Environment ------------------------------------------------------------------------------

TEST(ConfigEnv, ReadsEveryVariable) {
  const Config config = from_env_map({
      {"WEFT_WORKER_THREADS", "5"},
      {"WEFT_THREAD_NAME_PREFIX", "svc"},
      {"WEFT_THREAD_STACK_SIZE", "1MiB"},
      {"WEFT_PIN_THREADS", "yes"},
      {"WEFT_GLOBAL_QUEUE_INTERVAL", "13"},
      {"WEFT_LIFO_CAP", "0"},
      {"WEFT_EVENT_BUDGET", "32"},
      {"WEFT_MAX_BLOCKING_THREADS", "16"},
      {"WEFT_BLOCKING_KEEP_ALIVE", "500ms"},
      {"WEFT_COMPUTE_THREADS", "3"},
  });
  EXPECT_EQ(config.worker_threads, 5u);
  EXPECT_EQ(config.thread_name_prefix, "svc");
  EXPECT_EQ(config.thread_stack_size, 1u << 20);
  EXPECT_TRUE(config.pin_threads);
  EXPECT_EQ(config.global_queue_interval, 13u);
  EXPECT_EQ(config.lifo_cap, 0u);
  EXPECT_EQ(config.event_budget, 32u);
  EXPECT_EQ(config.max_blocking_threads, 16u);
  EXPECT_EQ(config.blocking_keep_alive, 500ms);
  EXPECT_EQ(config.compute_threads, 3u);
}

TEST(ConfigEnv, IgnoresVariablesWithoutThePrefix) {
  const Config config =
      from_env_map({{"PATH", "/bin"}, {"weft_lifo_cap", "x"}, {"WEFT_LIFO_CAP", "8"}});
  EXPECT_EQ(config.lifo_cap, 8u);
}

TEST(ConfigEnv, BooleansAcceptCommonSpellingsInAnyCase) {
  const std::pair<const char*, bool> cases[] = {
      {"true", true},   {"TRUE", true},   {"1", true},  {"yes", true}, {"On", true},
      {"false", false}, {"False", false}, {"0", false}, {"NO", false}, {"off", false},
  };
  for (const auto& [text, expected] : cases) {
    SCOPED_TRACE(text);
    EXPECT_EQ(from_env_map({{"WEFT_PIN_THREADS", text}}).pin_threads, expected);
  }
  EXPECT_THAT(env_error({{"WEFT_PIN_THREADS", "maybe"}}).what(),
              HasSubstr("must be a boolean (true/false, 1/0, yes/no, on/off), got 'maybe'"));
}

TEST(ConfigEnv, ReactorModeIsOneOfTwoWordsInAnyCase) {
  EXPECT_EQ(from_env_map({{"WEFT_REACTOR_MODE", "Shared"}}).reactor_mode, ReactorMode::shared);
  EXPECT_EQ(from_env_map({{"WEFT_REACTOR_MODE", "dedicated"}}).reactor_mode,
            ReactorMode::dedicated);
  const ConfigError error = env_error({{"WEFT_REACTOR_MODE", "both"}});
  EXPECT_EQ(error.key(), "reactor_mode");
  EXPECT_STREQ(
      error.what(),
      "env WEFT_REACTOR_MODE: reactor_mode must be \"dedicated\" or \"shared\", got 'both'");
}

TEST(ConfigEnv, IoBackendNamesAnAvailableBackendInAnyCase) {
  for (const weft::io::IoBackend backend : weft::io::available_io_backends()) {
    std::string upper(weft::io::to_string(backend));
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_EQ(from_env_map({{"WEFT_IO_BACKEND", upper}}).io_backend, backend);
  }
  const ConfigError error = env_error({{"WEFT_IO_BACKEND", "select"}});
  EXPECT_EQ(error.key(), "io_backend");
  EXPECT_EQ(std::string(error.what()), "env WEFT_IO_BACKEND: io_backend must be one of " +
                                           weft::io::available_io_backend_names() +
                                           ", got 'select'");
}

TEST(ConfigEnv, IoBackendThisBuildLacksIsRefusedNamingTheAvailableOnes) {
  for (const weft::io::IoBackend backend :
       {weft::io::IoBackend::epoll, weft::io::IoBackend::kqueue, weft::io::IoBackend::iocp}) {
    if (weft::io::is_available(backend)) continue;
    const std::string name(weft::io::to_string(backend));
    const ConfigError from_env = env_error({{"WEFT_IO_BACKEND", name}});
    EXPECT_EQ(from_env.key(), "io_backend");
    EXPECT_EQ(std::string(from_env.what()), "env WEFT_IO_BACKEND: io_backend must be one of " +
                                                weft::io::available_io_backend_names() +
                                                " (this build has no " + name + ")");
    const ConfigError from_code =
        error_from([&] { Config::builder().io_backend(backend).build(); });
    EXPECT_EQ(from_code.key(), "io_backend");
  }
}

TEST(ConfigToml, IoBackendIsAString) {
  const weft::io::IoBackend backend = weft::io::default_io_backend();
  const std::string line = "io_backend = \"" + std::string(weft::io::to_string(backend)) + "\"\n";
  EXPECT_EQ(from_toml(line).io_backend, backend);
  EXPECT_THAT(toml_error("io_backend = 1\n").what(),
              HasSubstr("io_backend must be a string, got integer"));
}

TEST(ConfigToml, ReactorModeIsAString) {
  EXPECT_EQ(from_toml("reactor_mode = \"shared\"\n").reactor_mode, ReactorMode::shared);
  EXPECT_THAT(toml_error("reactor_mode = 1\n").what(),
              HasSubstr("reactor_mode must be a string, got integer"));
}

TEST(ConfigEnv, MalformedIntegerNamesTheVariable) {
  const ConfigError error = env_error({{"WEFT_WORKER_THREADS", "abc"}});
  EXPECT_EQ(error.key(), "worker_threads");
  EXPECT_EQ(error.source(), "env WEFT_WORKER_THREADS");
  EXPECT_STREQ(error.what(),
               "env WEFT_WORKER_THREADS: worker_threads must be a positive integer, got 'abc'");
  EXPECT_THAT(env_error({{"WEFT_LIFO_CAP", ""}}).what(),
              HasSubstr("lifo_cap must be a non-negative integer, got ''"));
  EXPECT_THAT(env_error({{"WEFT_LIFO_CAP", " 3"}}).what(), HasSubstr("got ' 3'"));
}

TEST(ConfigEnv, NegativeAndOverflowingNumbersAreRejected) {
  EXPECT_STREQ(env_error({{"WEFT_EVENT_BUDGET", "-1"}}).what(),
               "env WEFT_EVENT_BUDGET: event_budget must be >= 1, got '-1'");
  EXPECT_STREQ(env_error({{"WEFT_WORKER_THREADS", "99999999999999999999999"}}).what(),
               "env WEFT_WORKER_THREADS: worker_threads must be <= 1024, got "
               "'99999999999999999999999'");
}

TEST(ConfigEnv, OutOfRangeIsReportedAtBuildNamingTheVariable) {
  const ConfigError error = env_error({{"WEFT_COMPUTE_THREADS", "5000"}});
  EXPECT_EQ(error.key(), "compute_threads");
  EXPECT_EQ(error.source(), "env WEFT_COMPUTE_THREADS");
  EXPECT_STREQ(error.what(), "env WEFT_COMPUTE_THREADS: compute_threads must be <= 1024, got 5000");
  // A worker count that fits its type but not the bound is caught before any thread starts.
  EXPECT_STREQ(env_error({{"WEFT_WORKER_THREADS", "99999999999"}}).what(),
               "env WEFT_WORKER_THREADS: worker_threads must be <= 1024, got 99999999999");
  EXPECT_STREQ(env_error({{"WEFT_THREAD_STACK_SIZE", "100G"}}).what(),
               "env WEFT_THREAD_STACK_SIZE: thread_stack_size must be <= 1073741824 (1GiB), got "
               "107374182400");
}

TEST(ConfigEnv, UnknownVariableIsAnErrorWithSuggestion) {
  const ConfigError error = env_error({{"WEFT_WORKER_THREAD", "4"}});
  EXPECT_EQ(error.key(), "WEFT_WORKER_THREAD");
  EXPECT_EQ(error.source(), "env WEFT_WORKER_THREAD");
  EXPECT_STREQ(error.what(),
               "env WEFT_WORKER_THREAD: unknown variable (did you mean WEFT_WORKER_THREADS?)");
  EXPECT_STREQ(env_error({{"WEFT_FAVOURITE_COLOUR", "blue"}}).what(),
               "env WEFT_FAVOURITE_COLOUR: unknown variable");
}

TEST(ConfigEnv, NamesAreCaseSensitiveAndHandlerIsNotSettable) {
  EXPECT_THAT(env_error({{"WEFT_Lifo_Cap", "2"}}).what(), HasSubstr("unknown variable"));
  EXPECT_THAT(env_error({{"WEFT_UNHANDLED_EXCEPTION_HANDLER", "x"}}).what(),
              HasSubstr("can only be set in code"));
}

TEST(ConfigEnv, SizesAndDurationsUseTheTomlSyntax) {
  const Config config =
      from_env_map({{"WEFT_THREAD_STACK_SIZE", "131072"}, {"WEFT_BLOCKING_KEEP_ALIVE", "2s"}});
  EXPECT_EQ(config.thread_stack_size, 131072u);
  EXPECT_EQ(config.blocking_keep_alive, 2s);
  EXPECT_EQ(from_env_map({{"WEFT_BLOCKING_KEEP_ALIVE", "750"}}).blocking_keep_alive, 750ms);
}

TEST(ConfigEnv, ReadsTheProcessEnvironment) {
  // The only test touching the real environment; it removes what it sets.
  weft_test::set_env("WEFT_EVENT_BUDGET", "77");
  struct Unset {
    ~Unset() { weft_test::unset_env("WEFT_EVENT_BUDGET"); }
  } unset;
  EXPECT_EQ(Config::from_env().event_budget, 77u);
  EXPECT_EQ(Config::builder().from_env().build().event_budget, 77u);
}

// ---- Precedence -------------------------------------------------------------------------------

TEST(ConfigPrecedence, EnvOverridesFileAndBuilderOverridesBoth) {
  const Config config =
      Config::builder()
          .from_toml_string("worker_threads = 2\nlifo_cap = 5\nevent_budget = 9\n")
          .from_env({{"WEFT_LIFO_CAP", "6"}, {"WEFT_EVENT_BUDGET", "10"}})
          .event_budget(11)
          .build();
  EXPECT_EQ(config.worker_threads, 2u);  // file only
  EXPECT_EQ(config.lifo_cap, 6u);        // env over file
  EXPECT_EQ(config.event_budget, 11u);   // builder over env
}

TEST(ConfigPrecedence, OrderOfCallsDecidesNotTheKindOfSource) {
  const Config config = Config::builder()
                            .lifo_cap(1)
                            .from_env({{"WEFT_LIFO_CAP", "2"}})
                            .from_toml_string("lifo_cap = 3")
                            .build();
  EXPECT_EQ(config.lifo_cap, 3u);
}

TEST(ConfigPrecedence, OutOfRangeValueReplacedLaterIsFine) {
  const Config config =
      Config::builder().from_toml_string("worker_threads = 0").worker_threads(2).build();
  EXPECT_EQ(config.worker_threads, 2u);
}

TEST(ConfigPrecedence, BuildBlamesTheLastAssignment) {
  const ConfigError error = error_from([] {
    Config::builder()
        .worker_threads(0)
        .from_toml_string("lifo_cap = 1\nworker_threads = 0\n", "app.toml")
        .build();
  });
  EXPECT_EQ(error.source(), "app.toml:2");
}

// ---- describe() -------------------------------------------------------------------------------

TEST(ConfigDescribe, PrintsOneTomlLinePerKey) {
  const Config config = Config::builder()
                            .worker_threads(4)
                            .thread_stack_size(2 << 20)
                            .blocking_keep_alive(1500ms)
                            .build();
  EXPECT_EQ(config.describe(),
            "worker_threads = 4\n"
            "thread_name_prefix = \"weft-worker\"\n"
            "thread_stack_size = \"2MiB\"\n"
            "pin_threads = false\n"
            "global_queue_interval = 61\n"
            "lifo_cap = 3\n"
            "event_budget = 128\n"
            "reactor_mode = \"shared\"\n"
            "io_backend = \"" +
                std::string(weft::io::to_string(weft::io::default_io_backend())) +
                "\"\n"
                "max_blocking_threads = 512\n"
                "blocking_keep_alive = \"1500ms\"\n"
                "compute_threads = 0\n"
                "memory_release_interval = \"1s\"\n");
}

TEST(ConfigDescribe, RoundTripsDefaults) {
  const Config original = Config::defaults();
  expect_same_settings(from_toml(original.describe()), original);
}

TEST(ConfigDescribe, RoundTripsEveryNonDefaultValue) {
  const Config original = Config::builder()
                              .worker_threads(7)
                              .thread_name_prefix("q\"\\\t-x")
                              .thread_stack_size(65537)
                              .pin_threads(true)
                              .global_queue_interval(1'000'000)
                              .lifo_cap(0)
                              .event_budget(1)
                              .reactor_mode(ReactorMode::shared)
                              .max_blocking_threads(10'000)
                              .blocking_keep_alive(2h)
                              .compute_threads(1024)
                              .memory_release_interval(90s)
                              .build();
  expect_same_settings(from_toml(original.describe()), original);
}

}  // namespace
}  // namespace weft
