#include "portcullis/log/log_paths.h"

#include <glob.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>

namespace portcullis::log {

Result<LogPathSpec> ParseLogPath(std::string_view line) {
  size_t space = line.rfind(' ');
  if (space == std::string_view::npos) return LogPathSpec{std::string(line), false};
  std::string word(line.substr(space + 1));
  std::string lower = word;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower != "head" && lower != "tail") return Fail("File option must be 'head' or 'tail'", {}, 0, word);
  return LogPathSpec{std::string(line.substr(0, space)), lower == "tail"};
}

GlobResult ExpandLogPath(const std::string& pattern) {
  GlobResult result;
  glob_t found{};
  // glob(3) sorts; GLOB_NOESCAPE because Python's glob has no escapes.
  if (::glob(pattern.c_str(), GLOB_NOESCAPE, nullptr, &found) == 0) {
    for (size_t i = 0; i < found.gl_pathc; ++i) {
      std::string path = found.gl_pathv[i];
      struct stat st;
      if (::stat(path.c_str(), &st) == 0) {
        result.paths.push_back(std::move(path));
      } else {
        result.dangling.push_back(std::move(path));
      }
    }
  }
  ::globfree(&found);
  return result;
}

}  // namespace portcullis::log
