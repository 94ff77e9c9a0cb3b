#pragma once
// What the translator learns about a pattern's top level that lets Regex search
// faster than Boost alone. Private to the regex module.
//
// - The guard: leading zero-width lookarounds, e.g. fail2ban's date prefix
//   `(?=^|\b|\W)`. Boost cannot see past a leading assertion to find where a
//   match may start and tries every position, ~10x slower; Regex instead searches
//   the rest and checks the guard where it matches. Multiline `^` alone as guard
//   means "try each line start".
// - The required literal: the longest run of plain literals at the top level
//   (no `|` there), which every match contains; a text without it is a miss.

#include <cstddef>
#include <string>
#include <string_view>

namespace portcullis::regex::internal {

struct Translation;

class SearchHints {
 public:
  // A top-level atom; `literal` is the text it matches when it is a plain literal.
  void Atom(std::string_view literal);
  // A top-level item that is neither a literal nor part of the guard.
  void Other();
  // Multiline `^` at the top level; the Boost text now ends at `out_end`.
  void LineStart(size_t out_end);
  // A quantifier on the top-level item that starts at `atom_start`.
  void Repeat(size_t atom_start);
  // A top-level group opens; lookarounds may extend the guard.
  void GroupOpened(bool lookaround);
  // A top-level group closed at `out_end`; `pure_lookaround` when it is a
  // lookaround without capturing groups.
  void GroupClosed(bool pure_lookaround, size_t out_end);
  // A top-level `|`: no guard, no required literal.
  void Bar();
  // Sets the guard and literal fields of `t` for the finished Boost `pattern`.
  void Finish(Translation& t, std::string_view pattern, bool ignore_case);

 private:
  void BreakRun();

  bool leading_ = true;      // only lookarounds so far
  size_t guard_end_ = 0;     // end of the leading lookarounds in the Boost text
  bool bar_ = false;
  std::string run_;          // literal text since the last non-literal
  size_t last_literal_ = 0;  // bytes the last atom added to run_
  std::string required_;     // longest finished run
};

}  // namespace portcullis::regex::internal
