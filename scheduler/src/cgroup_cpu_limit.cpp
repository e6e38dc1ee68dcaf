// The CPU quota a cgroup puts on this process (a container's "--cpus"). The kernel enforces
// it by throttling: a process with 2 CPUs' worth of quota and 8 workers gets its time cut
// off every period, and workers that spin burn the quota the others need.
//
// Where the files are: /proc/self/cgroup names this process's cgroup in each hierarchy
// ("0::/path" for v2, "N:cpu,cpuacct:/path" for v1), /proc/self/mountinfo says where each
// hierarchy is mounted and which of its directories the mount shows (its root, "/" unless a
// container mounted only its own subtree). Every ancestor up to the mount may set a limit of
// its own; the tightest one counts.

#include <weft/scheduler/usable_cpus.hpp>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <string>
#include <string_view>

namespace weft::detail {

namespace {

namespace fs = std::filesystem;

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = text.find(separator, start);
    parts.emplace_back(text.substr(start, end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

std::vector<std::string> lines_of(const fs::path& file) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(std::move(line));
  return lines;
}

std::optional<long long> parse_integer(std::string_view text) {
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);  // getline took the '\n'
  long long value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<std::string> first_line(const fs::path& file) {
  std::ifstream in(file);
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  return line;
}

// CPUs, rounded up, from a quota and a period in the same unit; nullopt if either is not
// positive (v1 writes -1 for "no quota").
std::optional<std::size_t> cpus_of(std::optional<long long> quota,
                                   std::optional<long long> period) {
  if (!quota || !period || *quota <= 0 || *period <= 0) return std::nullopt;
  return static_cast<std::size_t>((*quota + *period - 1) / *period);
}

// v2: "max 100000" (no limit) or "<quota> <period>".
std::optional<std::size_t> read_v2_limit(const fs::path& dir) {
  const auto line = first_line(dir / "cpu.max");
  if (!line) return std::nullopt;
  const std::vector<std::string> fields = split(*line, ' ');
  if (fields.size() != 2 || fields[0] == "max") return std::nullopt;
  return cpus_of(parse_integer(fields[0]), parse_integer(fields[1]));
}

std::optional<std::size_t> read_v1_limit(const fs::path& dir) {
  const auto quota = first_line(dir / "cpu.cfs_quota_us");
  const auto period = first_line(dir / "cpu.cfs_period_us");
  if (!quota || !period) return std::nullopt;
  return cpus_of(parse_integer(*quota), parse_integer(*period));
}

// "a/b/" and "a/b/." name the same directory as "a/b", which is how the walk below compares.
fs::path without_trailing_separator(const fs::path& path) {
  fs::path normal = path.lexically_normal();
  return normal.has_filename() || !normal.has_parent_path() ? normal : normal.parent_path();
}

struct Hierarchy {
  bool v2 = false;
  std::string cgroup_path;  // from /proc/self/cgroup
};

// This process's cgroup in the v2 hierarchy and in the v1 hierarchy that has the cpu
// controller (either may be missing).
std::vector<Hierarchy> hierarchies(const fs::path& root) {
  std::vector<Hierarchy> found;
  for (const std::string& line : lines_of(root / "proc/self/cgroup")) {
    const std::size_t first = line.find(':');
    const std::size_t second = first == std::string::npos ? first : line.find(':', first + 1);
    if (second == std::string::npos) continue;
    const std::string controllers = line.substr(first + 1, second - first - 1);
    const std::string path = line.substr(second + 1);
    if (line.compare(0, first, "0") == 0 && controllers.empty()) {
      found.push_back({true, path});
    } else {
      const auto list = split(controllers, ',');
      if (std::find(list.begin(), list.end(), "cpu") != list.end()) found.push_back({false, path});
    }
  }
  return found;
}

struct Mount {
  std::string root;         // the hierarchy's directory the mount shows
  std::string mount_point;  // where it is mounted
};

// The mount of the v2 hierarchy, or of the v1 hierarchy with the cpu controller.
std::optional<Mount> mount_of(const fs::path& root, bool v2) {
  for (const std::string& line : lines_of(root / "proc/self/mountinfo")) {
    // "<id> <parent> <dev> <root> <mount point> <options> [optional...] - <type> <source> <super>"
    const std::vector<std::string> fields = split(line, ' ');
    const auto dash = std::find(fields.begin(), fields.end(), "-");
    if (fields.size() < 5 || dash == fields.end() || fields.end() - dash < 4) continue;
    const std::string& type = *(dash + 1);
    const auto super_options = split(*(dash + 3), ',');
    const bool match =
        v2 ? type == "cgroup2"
           : type == "cgroup" && std::find(super_options.begin(), super_options.end(), "cpu") !=
                                     super_options.end();
    if (match) return Mount{fields[3], fields[4]};
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::size_t> cgroup_cpu_limit(const std::filesystem::path& root) {
  std::optional<std::size_t> tightest;
  for (const Hierarchy& hierarchy : hierarchies(root)) {
    const std::optional<Mount> mount = mount_of(root, hierarchy.v2);
    if (!mount) continue;
    // The cgroup's directory: its path with the mount's root replaced by the mount point.
    const fs::path cgroup = fs::path(hierarchy.cgroup_path).lexically_normal();
    const fs::path relative = cgroup.lexically_relative(fs::path(mount->root).lexically_normal());
    if (relative.empty() || *relative.begin() == "..") continue;  // outside what is mounted
    const fs::path top =
        without_trailing_separator(root / fs::path(mount->mount_point).relative_path());
    fs::path dir = relative == "." ? top : without_trailing_separator(top / relative);
    for (;;) {
      const auto limit = hierarchy.v2 ? read_v2_limit(dir) : read_v1_limit(dir);
      if (limit && (!tightest || *limit < *tightest)) tightest = limit;
      if (dir == top || !dir.has_relative_path()) break;
      dir = dir.parent_path();
    }
  }
  return tightest;
}

}  // namespace weft::detail
