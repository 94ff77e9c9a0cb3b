#pragma once
// A literal prefilter: text that every match of a regex contains, as a condition of
// AND and OR over literals (the idea of RE2's prefilter). A text that fails the
// condition cannot match, and is rejected at memmem speed before a matcher runs (the
// backtracker, or Boost, which spends ~700 instructions per search before it looks at a
// character). Private to the regex module.
//
//   ^Failed \S+ for (?:invalid user )?\S+ from <ip>   ->  "Failed " AND " for " AND " from "
//   (?:\w+: reject:|too many errors) after \S+           ->  ": reject:" OR "too many errors after "
//
// The analysis reads the Boost pattern the translator wrote. It may only weaken the
// condition, never strengthen it: whatever it does not understand (case-insensitive
// parts, backreferences, classes such as \w, repeats) requires nothing, and a construct
// it cannot parse gives up on the whole pattern (no condition).

#include <string>
#include <string_view>
#include <vector>

#include "byte_set.h"

namespace portcullis::regex::internal {

class Prefilter {
 public:
  // No condition: every text may match.
  Prefilter() = default;
  // The condition for `boost_pattern`; none when `ignore_case` (the whole pattern) or
  // when the pattern holds a construct the analysis does not know.
  static Prefilter ForPattern(std::string_view boost_pattern, bool ignore_case);
  // The condition "contains `literal`" (none for an empty literal).
  static Prefilter ForLiteral(std::string literal);

  // False only when no match of the regex can be in `text`.
  bool MayMatch(std::string_view text) const { return root_.kind == Node::Kind::kAll || Eval(root_, text); }
  bool always() const { return root_.kind == Node::Kind::kAll; }
  // The length of the literal Eval scans for first (0: none, or an OR first). A long
  // one (nginx's " limiting requests, excess: ") is rare in texts that do not match and
  // rejects them in one scan; a short one may be in every line.
  size_t first_literal_size() const;
  // The condition, e.g. ("Failed " AND " from ") or "*" for none (for tests and -vv).
  std::string ToString() const;

  struct Node {
    // kClasses: a run of byte classes, such as ": [45][05][04] [45]." (what many
    // strings of one length that vary position by position collapse to).
    enum class Kind { kAll, kLiteral, kClasses, kAnd, kOr };
    Kind kind = Kind::kAll;
    std::string literal;       // kLiteral; kClasses: the bytes of its single-byte classes
    std::vector<ByteSet> classes;  // kClasses
    size_t anchor = 0;  // the least common byte (kClasses: of a single-byte class), scanned for
    size_t second = 0;  // kLiteral: the next least common byte, checked with it 16 at a time
    std::vector<Node> children;
  };

 private:
  static bool Eval(const Node& node, std::string_view text);
  Node root_;
};

}  // namespace portcullis::regex::internal
