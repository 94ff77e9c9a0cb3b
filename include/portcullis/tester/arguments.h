#pragma once
// What fail2ban-regex makes of its positional arguments.
//
//   REGEX  "sshd", "sshd[mode=aggressive]", "filter.d/sshd.conf", "/tmp/my.conf" or a
//          literal failregex such as "Failed for .* from <HOST>$";
//   LOG    a file path, "systemd-journal[...]" or the log text itself (one line, or
//          several separated by "\n").
//
// A REGEX that looks like a filter name (`/{0,3}[\w/_\-.]+([...])?`) is looked up as
// <config>/filter.d/<name>[.conf|.local] (names with "/" relative to the working
// folder); when no such file exists it is a literal regex after all.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "portcullis/base/error.h"
#include "portcullis/config/options.h"

namespace portcullis::tester {

// The file system as argument resolution sees it (a fake in tests).
struct FileSystemView {
  std::function<bool(const std::string& path)> is_file;
  std::string cwd;  // for making foreign filter files absolute
  // The real file system and working folder.
  static FileSystemView Real();
};

struct RegexArgument {
  enum class Kind {
    kLiteral,      // a regex given on the command line
    kFilter,       // a filter read the standard way: <basedir>/filter.d/<name> (.conf, .d, .local)
    kForeignFile,  // a filter file outside any filter.d, read on its own with its includes
  };
  Kind kind = Kind::kLiteral;
  std::string value;     // the argument as given
  std::string name;      // kFilter: filter name (no extension); kForeignFile: the path as given
  std::string basedir;   // kFilter: the config folder holding filter.d
  std::string file;      // kForeignFile: the absolute path
  config::OptionMap options;  // from name[opt=val, ...]
};

// Resolves the REGEX argument against the config folder `config_dir` (-c). Error only
// for a filter-like argument with malformed options; its message is what fail2ban
// prints after "ERROR: Wrong filter name or options: ".
Result<RegexArgument> ResolveRegexArgument(std::string_view value, std::string_view config_dir,
                                           const FileSystemView& fs);

struct LogArgument {
  enum class Kind { kFile, kJournal, kSingleLine, kMultiLine };
  Kind kind = Kind::kSingleLine;
  std::string value;               // the argument as given (the path for kFile)
  std::vector<std::string> lines;  // kSingleLine/kMultiLine: the lines to test
};

// Resolves the LOG argument: an existing file, the journal, or literal text. Literal
// text is one line unless it holds "\n" or `maxlines` > 1, then it is split on "\n".
LogArgument ResolveLogArgument(std::string_view value, int maxlines, const FileSystemView& fs);

// Python's os.path helpers on '/'-separated paths, as fail2ban-regex uses them.
std::string PyDirname(std::string_view path);
std::string PyBasename(std::string_view path);
std::string PyJoin(std::string_view a, std::string_view b);
std::string PySplitextStem(std::string_view path);  // splitext(path)[0]
std::string PyAbspath(std::string_view path, std::string_view cwd);

}  // namespace portcullis::tester
