// The cgroup CPU quota behind weft::cpu_budget(), read from a fake /proc and cgroup tree
// under a temporary root: cgroup v2 and v1 layouts, limits on ancestors, containers that
// mount only their own subtree, and files that are missing or malformed (no limit, never an
// exception).

#include <weft/scheduler/usable_cpus.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "../common/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using weft::detail::cgroup_cpu_limit;

// A temporary directory standing in for "/", removed at the end of the test.
class FakeRoot {
 public:
  // Writes `text` to the file at `relative` (a path under the root), creating directories.
  void write(const std::string& relative, const std::string& text) const {
    const fs::path file = dir_.path() / relative;
    fs::create_directories(file.parent_path());
    std::ofstream(file) << text;
  }
  const fs::path& path() const { return dir_.path(); }

 private:
  weft_test::TempDir dir_{"weft-cgroup-"};
};

constexpr const char* kV2Mount = "30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n";
constexpr const char* kV1Mounts =
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:9 - cgroup cgroup "
    "rw,cpu,cpuacct\n"
    "33 31 0:30 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n";

TEST(CgroupCpuLimit, V2QuotaIsRoundedUpToWholeCpus) {
  const FakeRoot root;
  root.write("proc/self/cgroup", "0::/app.slice/server\n");
  root.write("proc/self/mountinfo", kV2Mount);
  root.write("sys/fs/cgroup/app.slice/server/cpu.max", "150000 100000\n");
  EXPECT_EQ(cgroup_cpu_limit(root.path()), 2u);
}

TEST(CgroupCpuLimit, V2MaxMeansNoLimit) {
  const FakeRoot root;
  root.write("proc/self/cgroup", "0::/app.slice/server\n");
  root.write("proc/self/mountinfo", kV2Mount);
  root.write("sys/fs/cgroup/app.slice/server/cpu.max", "max 100000\n");
  EXPECT_EQ(cgroup_cpu_limit(root.path()), std::nullopt);
}

// The kernel applies every ancestor's limit too, so the tightest one counts.
TEST(CgroupCpuLimit, AnAncestorsTighterLimitCounts) {
  const FakeRoot root;
  root.write("proc/self/cgroup", "0::/kubepods/pod1/server\n");
  root.write("proc/self/mountinfo", kV2Mount);
  root.write("sys/fs/cgroup/kubepods/pod1/server/cpu.max", "400000 100000\n");
  root.write("sys/fs/cgroup/kubepods/pod1/cpu.max", "100000 100000\n");
  root.write("sys/fs/cgroup/kubepods/cpu.max", "max 100000\n");
  EXPECT_EQ(cgroup_cpu_limit(root.path()), 1u);
}

// Inside a container the mount often shows only the container's own cgroup (mount root
// "/docker/abc"), and /proc/self/cgroup names it in full: the two must be matched up.
TEST(CgroupCpuLimit, AMountOfASubtreeIsResolved) {
  const FakeRoot root;
  root.write("proc/self/cgroup", "0::/docker/abc\n");
  root.write("proc/self/mountinfo",
             "30 23 0:26 /docker/abc /sys/fs/cgroup ro - cgroup2 cgroup2 rw\n");
  root.write("sys/fs/cgroup/cpu.max", "300000 100000\n");
  EXPECT_EQ(cgroup_cpu_limit(root.path()), 3u);
}

// A v1 quota on the cgroup at `cgroup` (relative to the cpu hierarchy's mount of kV1Mounts).
void write_v1_quota(const FakeRoot& root, const std::string& cgroup, const std::string& quota,
                    const std::string& period) {
  const std::string dir = "sys/fs/cgroup/cpu,cpuacct/" + (cgroup.empty() ? "" : cgroup + "/");
  root.write(dir + "cpu.cfs_quota_us", quota + "\n");
  root.write(dir + "cpu.cfs_period_us", period + "\n");
}

TEST(CgroupCpuLimit, V1QuotaOnTheCpuController) {
  const FakeRoot root;
  root.write("proc/self/cgroup",
             "5:memory:/docker/abc\n4:cpu,cpuacct:/docker/abc\n0::/docker/abc\n");
  root.write("proc/self/mountinfo", kV1Mounts);
  write_v1_quota(root, "docker/abc", "250000", "100000");
  EXPECT_EQ(cgroup_cpu_limit(root.path()), 3u);
}

TEST(CgroupCpuLimit, V1MinusOneMeansNoLimit) {
  const FakeRoot root;
  root.write("proc/self/cgroup", "4:cpu,cpuacct:/\n");
  root.write("proc/self/mountinfo", kV1Mounts);
  write_v1_quota(root, "", "-1", "100000");
  EXPECT_EQ(cgroup_cpu_limit(root.path()), std::nullopt);
}

TEST(CgroupCpuLimit, MissingOrMalformedFilesMeanNoLimit) {
  const FakeRoot root;
  EXPECT_EQ(cgroup_cpu_limit(root.path()), std::nullopt);  // no /proc at all
  root.write("proc/self/cgroup", "0::/server\n");
  root.write("proc/self/mountinfo", kV2Mount);
  EXPECT_EQ(cgroup_cpu_limit(root.path()), std::nullopt);  // no cpu.max
  root.write("sys/fs/cgroup/server/cpu.max", "lots 100000\n");
  EXPECT_EQ(cgroup_cpu_limit(root.path()), std::nullopt);
  root.write("sys/fs/cgroup/server/cpu.max", "100000 0\n");
  EXPECT_EQ(cgroup_cpu_limit(root.path()), std::nullopt);
  root.write("proc/self/mountinfo", "garbage\n\n30 23\n");
  EXPECT_EQ(cgroup_cpu_limit(root.path()), std::nullopt);
}

// The public result: never more than the affinity mask allows, never zero.
TEST(CpuBudget, IsAtLeastOneAndAtMostTheUsableCpus) {
  const std::size_t budget = weft::cpu_budget();
  EXPECT_GE(budget, 1u);
  EXPECT_LE(budget, weft::usable_cpus().size());
  const auto limit = cgroup_cpu_limit("/");
  if (!limit) {
    EXPECT_EQ(budget, weft::usable_cpus().size());
  }
}

}  // namespace
