#pragma once
// fail2ban's tags in failregex, ignoreregex and prefregex, and the regexes built from
// them.
//
// A failregex such as `^Failed password for <F-USER>\S+</F-USER> from <HOST>$` is
// first expanded: <HOST>, <ADDR>, <IP4>, <IP6>, <DNS>, <CIDR>, <SUBNET>, <F-ID/>,
// <F-PORT/>, <SKIPLINES> and custom <F-NAME>..</F-NAME> pairs become Python named
// groups (ip4, ip6, dns, cidr, fid, fport, skiplinesN, name), exactly as fail2ban's
// Regex._resolveHostTag does; unknown tags stay as literal text. Then the global-flag
// rewrite `((?i)x)` -> `(?i:x)` is applied and the result is compiled with Regex.
//
// FailRegex additionally knows which groups carry meaning for the filter (failure id,
// host, mlfid, nofail, alt_*/tuple_* …) so that per-line work is index lookups only.

#include <string>
#include <string_view>
#include <vector>

#include "portcullis/base/error.h"
#include "portcullis/regex/regex.h"

namespace portcullis::regex {

struct TagOptions {
  // usedns = no: <HOST> is <ADDR> only (no DNS-name alternative).
  bool usedns_no = false;
};

// fail2ban's tag expansion (Regex._resolveHostTag) followed by the global-flag rewrite.
// The result is Python syntax, ready for Regex::Compile.
std::string ExpandTags(std::string_view regex, TagOptions options = {});

// Group indexes of a compiled fail2ban regex; -1 where the group is absent.
struct GroupMap {
  int fid = -1, ip4 = -1, ip6 = -1, dns = -1, cidr = -1, fport = -1;
  int mlfid = -1, nofail = -1, mlfforget = -1, mlfgained = -1, content = -1, user = -1;
  std::vector<int> skiplines;  // skiplines0, skiplines1, …
  // alt_X[_n] groups: (group index, target name X) sorted by group name.
  std::vector<std::pair<int, std::string>> alt;
  // tuple_X[_n] groups: (group index, target name X) sorted by group name.
  std::vector<std::pair<int, std::string>> tuple;
  // Every named group (name, index), sorted by name, as in NamedGroups().
  std::vector<std::pair<std::string, int>> named;
};

// A failregex, ignoreregex or prefregex: expanded, compiled, its groups mapped.
class FailRegex {
 public:
  // Expands and compiles `regex`. Errors: "Cannot add empty regex",
  // "Unable to compile regular expression '<expanded>':\n<reason>".
  static Result<FailRegex> Compile(std::string_view regex, CompileOptions compile = {},
                                   TagOptions tags = {});

  const Regex& regex() const { return regex_; }
  const GroupMap& groups() const { return groups_; }
  // The regex as written in the filter (tags unexpanded).
  const std::string& source() const { return source_; }
  // Whether any of fid, ip4, ip6, dns, mlfid is a group: a failregex needs one
  // (itself or in its prefregex), else fail2ban's "No failure-id group in '<regex>'".
  bool HasFailureIdGroup() const;

 private:
  FailRegex(std::string source, Regex regex);
  std::string source_;
  Regex regex_;
  GroupMap groups_;
};

}  // namespace portcullis::regex
