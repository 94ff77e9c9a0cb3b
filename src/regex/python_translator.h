#pragma once
// Python `re` syntax -> Boost perl syntax, in one pass. Private to the regex module.
//
// The translator parses the Python pattern as sre_parse does (so Python's compile
// errors are reported with Python's words and positions) and writes a Boost pattern
// whose matches are the same on UTF-8 text:
//   (?P<n>x) -> (?<n>x)      (?P=n) -> \k<n>       (?(n)a|b) -> (?(<n>)a|b)
//   x{,3}    -> x{0,3}       lone { } -> \{ \}     \Z -> \z      \<  -> \x{3c}
//   ^        -> \A (single-line) or (?<![^\n]) (multiline)
//   $        -> (?=\n?\z) (single-line) or (?=\n|\z) (multiline)
//   .        -> [^\n] unless DOTALL   (Boost's `.` also stops at \r and \f)
//   (?iu)    -> (?i)          (?x) verbose text is stripped of blanks and comments
//   \1       -> \g{1}        \x41 \101 \u00e9 -> the character's UTF-8 bytes
//   \B       -> lookarounds that also hold at the text's ends, as Python's \B does
// Leading global flags become compile flags (Translation::global_flags), and the
// top level is summarised in SearchHints (guard, required literal).
// `^`/`$` are always rewritten, so Boost's own line rules (which also break at \r
// and \f) never apply. Character classes keep their items; `[` `]` `-` `\` inside
// are escaped so Boost never sees POSIX `[:name:]` classes.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "portcullis/base/error.h"
#include "portcullis/regex/regex.h"

namespace portcullis::regex::internal {

struct Translation {
  std::string pattern;                               // Boost perl syntax
  std::string global_flags;                          // "i", "s" from leading (?is): compile flags
  size_t guard_length = 0;                           // leading lookarounds, 0 when none
  bool guard_is_line_start = false;                  // the guard is just multiline `^`
  std::string required_literal;                      // text every match contains (may be empty)
  std::vector<std::pair<std::string, int>> named;    // sorted by name
  int group_count = 0;                               // capturing groups, without 0
};

// Translates `python` or returns Python's error text ("... at position N").
Result<Translation> Translate(std::string_view python, const CompileOptions& options);

}  // namespace portcullis::regex::internal
