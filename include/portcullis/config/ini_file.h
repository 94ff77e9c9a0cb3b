#pragma once
// One INI file parsed with Python configparser's rules as fail2ban sets them up
// (ConfigParser(inline_comment_prefixes=";"), strict, optionxform=str.lower):
//
//   [Definition]              section names are case-sensitive, kept verbatim
//   Failregex = ^a <HOST>     option names are lower-cased; '=' or ':' splits
//               ^b <HOST>     a line indented deeper continues the value ("\n"-joined)
//   # comment                 full-line '#'/';' comments, also indented, also inside values
//   x = a;b ; note            inline comments: only ';' after whitespace -> "a;b"
//
// Blank lines inside a value are kept as empty lines, trailing ones dropped. A
// duplicate option or section in the same file, a line without '='/':' and an option
// before any section are errors naming file and line. [DEFAULT] holds the defaults.
// Values are kept raw: %(..)s interpolation happens later (config_tree.h).

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "portcullis/base/error.h"

namespace portcullis::config {

// A raw value with where it was written.
struct Value {
  std::string text;
  std::string file;
  int line = 0;  // line of the option name
  // Source line of each "\n"-separated line of `text` (same count), when known.
  std::vector<int> lines;
};

// The options of one section in the order they were first written.
class IniSection {
 public:
  using Entry = std::pair<std::string, Value>;

  IniSection() = default;
  IniSection(std::string name, int line) : name_(std::move(name)), line_(line) {}

  const std::string& name() const { return name_; }
  int line() const { return line_; }
  const std::vector<Entry>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }

  // nullptr when absent; `option` must already be lower-case.
  const Value* Find(std::string_view option) const;
  // Adds or replaces (keeping the original position).
  void Set(std::string option, Value value);

 private:
  std::string name_;
  int line_ = 0;
  std::vector<Entry> entries_;
};

// [DEFAULT] plus named sections in order of appearance. Also the merged form of many
// files (ConfigTree keeps one of these).
class IniFile {
 public:
  static constexpr std::string_view kDefaultSection = "DEFAULT";

  // Parses `text` read from `file` (used in error locations).
  static Result<IniFile> Parse(std::string_view text, const std::string& file);
  // Reads and parses `path`; nullopt when it cannot be opened or is not a regular
  // file (configparser skips those silently). Errors: invalid UTF-8, syntax.
  static Result<std::optional<IniFile>> Load(const std::string& path);

  const IniSection& defaults() const { return defaults_; }
  IniSection& defaults() { return defaults_; }
  const std::vector<IniSection>& sections() const { return sections_; }
  // nullptr when absent ("DEFAULT" is not a section).
  const IniSection* FindSection(std::string_view name) const;
  IniSection* FindSection(std::string_view name);
  // The named section, created empty at the end when absent.
  IniSection& AddSection(std::string_view name, int line = 0);

 private:
  IniSection defaults_{std::string(kDefaultSection), 0};
  std::vector<IniSection> sections_;
};

// Files parsed once and shared between reads (fail2ban's share_config): a filter's
// common.conf is parsed once for all jails. Not thread-safe.
class FileCache {
 public:
  FileCache();
  FileCache(FileCache&&) noexcept;
  FileCache& operator=(FileCache&&) noexcept;
  ~FileCache();

  // IniFile::Load through the cache; nullptr when the file cannot be read.
  Result<std::shared_ptr<const IniFile>> Load(const std::string& path);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace portcullis::config
