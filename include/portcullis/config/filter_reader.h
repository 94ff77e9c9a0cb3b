#pragma once
// Reading a filter.d file into plain values, as fail2ban's FilterReader does: the
// [Definition] options failregex, ignoreregex, prefregex, maxlines, datepattern,
// journalmatch and usedns, with the filter options (`sshd[mode=aggressive]`) and the
// file's [Init] visible to %(..)s and <tag> substitution (<mdre-<mode>>,
// <lt_<logtype>/__prefix_line>, …).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portcullis/base/error.h"
#include "portcullis/config/config_tree.h"
#include "portcullis/config/options.h"

namespace portcullis::config {

struct FilterRequest {
  // The config folder (filter files are <basedir>/filter.d/<name>.conf …). Ignored
  // when `file` is set.
  std::string basedir;
  // The filter name, e.g. "sshd" (no .conf).
  std::string name;
  // A foreign filter file read on its own (fail2ban-regex with a path outside basedir).
  std::optional<std::string> file;
  // Options from `name[opt=val]`, e.g. {mode: aggressive}.
  OptionMap options;
  // fail2ban's applyAutoOptions(backend): unless the filter options or the filter's own
  // [Definition] set `logtype`, logtype becomes "journal" for backends starting with
  // "systemd" and "file" otherwise. nullopt: not applied (the sample suite's way).
  std::optional<std::string> backend;
  // Options the jail passes down (its section); they win over same-named filter
  // options where fail2ban lets them.
  OptionMap jail_options;
  // fail2ban's getOptions(all=True) (the jail reader's pass): every [Definition]
  // option, not only the filter ones, ends up in `combined`.
  bool all_definition_options = false;
  // Shares parsed files (common.conf) between reads; nullptr: a private cache.
  FileCache* cache = nullptr;
};

// One regex line of a filter with where it was written.
struct RegexLine {
  std::string text;
  std::string file;
  int line = 0;
};

struct FilterSpec {
  std::string name;
  std::vector<std::string> files;  // files read, in merge order
  OptionMap options;               // the options the filter was asked for
  std::optional<RegexLine> prefregex;   // unset or empty: no prefregex
  std::vector<RegexLine> failregex;     // one per non-empty line
  std::vector<RegexLine> ignoreregex;
  std::optional<int> maxlines;
  std::optional<std::string> datepattern;
  std::optional<std::string> usedns;
  std::vector<std::string> journalmatch;  // one per line
  // Problems that did not stop the read (ConfigTree::warnings()).
  std::vector<Error> warnings;
  // All options after substitution (fail2ban-regex -vv "Real  filter options").
  OptionMap combined;
};

// Reads and substitutes a filter. Errors name file and line: missing file, malformed
// INI, interpolation loops, self-referencing tags, a non-integer maxlines.
Result<FilterSpec> ReadFilter(const FilterRequest& request);

}  // namespace portcullis::config
