#pragma once
// A fresh directory under the system's temporary directory, removed with its contents when
// the TempDir is destroyed. Portable (std::filesystem), unlike mkdtemp.

#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>
#include <system_error>

namespace weft_test {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix) {
    std::random_device random;
    for (int attempt = 0; attempt < 100; ++attempt) {
      const std::filesystem::path candidate =
          std::filesystem::temp_directory_path() / (prefix + std::to_string(random()));
      std::error_code error;
      if (std::filesystem::create_directory(candidate, error)) {
        path_ = candidate;
        return;
      }
    }
    throw std::runtime_error("cannot create a temporary directory");
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace weft_test
