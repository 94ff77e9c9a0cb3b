#pragma once
// A fresh mkdtemp folder for config files written by a test; removed afterwards.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace portcullis::config::testing {

class TempConfig {
 public:
  TempConfig() {
    std::string pattern = (std::filesystem::temp_directory_path() / "portcullis-config-XXXXXX").string();
    dir_ = ::mkdtemp(pattern.data()) ? pattern : std::string();
  }
  ~TempConfig() {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  TempConfig(const TempConfig&) = delete;
  TempConfig& operator=(const TempConfig&) = delete;

  const std::string& dir() const { return dir_; }
  std::string Path(std::string_view relative) const { return dir_ + "/" + std::string(relative); }

  // Writes `text` to dir/relative, creating folders; returns the full path.
  std::string Write(std::string_view relative, std::string_view text) const {
    std::string path = Path(relative);
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

 private:
  std::string dir_;
};

}  // namespace portcullis::config::testing
