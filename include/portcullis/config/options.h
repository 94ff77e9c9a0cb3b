#pragma once
// Small pieces of fail2ban's config vocabulary: ordered option maps, the
// `name[opt=val, opt2="a,b"]` syntax, word lists and booleans.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "portcullis/base/error.h"

namespace portcullis::config {

// Options in the order they were given (fail2ban prints them in that order, e.g.
// "Use   filter options : {'mode': 'aggressive'}"). Names are unique; Set replaces.
class OptionMap {
 public:
  using Entry = std::pair<std::string, std::string>;

  void Set(std::string name, std::string value);
  // nullptr when absent.
  const std::string* Find(std::string_view name) const;
  bool Contains(std::string_view name) const { return Find(name) != nullptr; }
  bool Erase(std::string_view name);
  const std::vector<Entry>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }
  // Python dict repr: {'mode': 'aggressive', 'port': '25'}.
  std::string Repr() const;

  auto begin() const { return entries_.begin(); }
  auto end() const { return entries_.end(); }

 private:
  std::vector<Entry> entries_;
};

struct NameWithOptions {
  std::string name;     // everything before the first `[`, not stripped ("x [a=1]" -> "x ")
  OptionMap options;
};

// fail2ban's extractOptions: "sshd[mode=aggressive, port=\"22,2222\"]" -> sshd + options.
// Errors as fail2ban words them: "expected option, wrong syntax at N: <rest>",
// "unexpected syntax at N after option <name>: <rest>".
Result<NameWithOptions> ExtractOptions(std::string_view text);

// fail2ban's splitWithOptions: whitespace/newline separated words where `name[...]`
// (quoted values may hold spaces and newlines) stays one word; empty words dropped.
std::vector<std::string> SplitWithOptions(std::string_view text);

// fail2ban's splitwords: split on runs of spaces, commas and newlines; empties dropped.
std::vector<std::string> SplitWords(std::string_view text);

// true for 1, on, true, yes (any case); false otherwise.
bool ParseBool(std::string_view text);

}  // namespace portcullis::config
