#pragma once
// A fresh mkdtemp folder for the log files a test writes, rotates and removes.

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

namespace portcullis::log::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "portcullis-log-XXXXXX").string();
    dir_ = ::mkdtemp(pattern.data()) ? pattern : std::string();
  }
  ~TempDir() {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& dir() const { return dir_; }
  std::string Path(std::string_view name) const { return dir_ + "/" + std::string(name); }

  // Creates or empties `name` and writes `text` (a new inode only if it did not exist).
  std::string Write(std::string_view name, std::string_view text) const {
    return Put(name, text, O_WRONLY | O_CREAT | O_TRUNC);
  }
  // Appends `text` as a logger does (O_APPEND).
  std::string Append(std::string_view name, std::string_view text) const {
    return Put(name, text, O_WRONLY | O_CREAT | O_APPEND);
  }
  void Rename(std::string_view from, std::string_view to) const {
    std::filesystem::rename(Path(from), Path(to));
  }
  void Remove(std::string_view name) const { std::filesystem::remove(Path(name)); }
  // copytruncate's second half.
  void Truncate(std::string_view name) const { std::filesystem::resize_file(Path(name), 0); }

 private:
  std::string Put(std::string_view name, std::string_view text, int flags) const {
    std::string path = Path(name);
    int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
    if (fd >= 0) {
      [[maybe_unused]] ssize_t n = ::write(fd, text.data(), text.size());
      ::close(fd);
    }
    return path;
  }

  std::string dir_;
};

}  // namespace portcullis::log::testing
