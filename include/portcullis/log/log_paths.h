#pragma once
// A jail's `logpath` lines into the files to watch, as fail2ban's client does
// (jailreader.py): one pattern per line, an optional " head"/" tail" after the last
// space, glob patterns expanded, dangling symlinks left out with a warning.
//
//   ParseLogPath("/var/log/auth.log tail")  -> {"/var/log/auth.log", tail = true}
//   ExpandLogPath("/var/log/nginx/*access.log").paths -> the matching files, sorted

#include <string>
#include <string_view>
#include <vector>

#include "portcullis/base/error.h"

namespace portcullis::log {

struct LogPathSpec {
  std::string pattern;
  bool tail = false;
};

// One line of `logpath`. The word after the last space must be "head" or "tail" when
// there is one (case-insensitive); else error "File option must be 'head' or 'tail'"
// with the word as fragment (fail2ban's words, from its addlogpath command).
Result<LogPathSpec> ParseLogPath(std::string_view line);

struct GlobResult {
  std::vector<std::string> paths;     // existing files (symlinks resolved to exist), sorted
  std::vector<std::string> dangling;  // "File <p> is a dangling link, thus cannot be monitored"
};

// Python's glob.glob: `*`, `?`, `[...]`; no backslash escapes, no braces, `*` does not
// match a leading dot. A pattern without wildcards yields itself if it exists. No
// match is an empty result, not an error ("No file(s) found for glob" is the caller's).
GlobResult ExpandLogPath(const std::string& pattern);

}  // namespace portcullis::log
