#pragma once
// Python `re` patterns, run on Boost.Regex or, for the common subset, on a small
// backtracking matcher of this module's own (see CompileOptions::backtracker).
//
// fail2ban's filters are written for Python's `re` module. Regex::Compile takes such
// a pattern, translates the constructs Boost reads differently ((?P<n>..), (?P=n),
// (?(n)..|..), {,n}, inline flags such as (?iu), `$` before a final newline, `.` not
// matching a newline, \Z) and compiles it once. A compiled Regex is immutable and may
// be shared by threads; all per-search state lives in a Match the caller owns and
// reuses, so searching allocates nothing once a Match has warmed up.
//
//   auto re = Regex::Compile(R"(^(?P<user>\w+) from (?P<ip>\S+)$)");
//   Match m;
//   if (re && re->Search("root from 192.0.2.1\n", m))
//     std::string_view ip = m.Group(re->GroupIndex("ip"));
//
// This module is the only one that includes Boost.Regex; its exceptions never leave it.
// A search the backtracker gives up on goes to Boost; one that also exceeds Boost's
// complexity limit is a miss with m.complexity_exceeded() set, never a crash.

#include <bitset>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "portcullis/base/error.h"

namespace portcullis::regex {

struct CompileOptions {
  // Python's re.MULTILINE: `^` and `$` at every line boundary.
  bool multiline = false;
  // Python's re.IGNORECASE.
  bool ignore_case = false;
  // Work out the literals every match contains and check them before running the
  // matcher (see prefilter()). Off: only the longest top-level literal is checked, for
  // regexes that nearly always match (date templates), where more checks are wasted.
  bool prefilter = true;
  // Run the pattern on the module's own backtracker when it uses only the constructs
  // that one knows (most filters and every stock date template); Boost runs the rest,
  // and any search the backtracker gives up on. Off: Boost only (tests, comparisons).
  bool backtracker = true;
  // Keep a record of each search anchored at the start, and answer a later text from it
  // when the record's tests cannot tell that text from the one searched (see
  // backtracker.h). For regexes whose texts mostly differ only where they test a class
  // (date templates: consecutive lines differ in digits); elsewhere recording costs
  // more than it saves.
  bool replay = false;
};

class Regex;

// The result of one search: group spans into the searched text. Reuse one Match for
// many searches; it keeps its storage.
class Match {
 public:
  Match();
  ~Match();
  Match(Match&&) noexcept;
  Match& operator=(Match&&) noexcept;

  // Whether group `index` (0 = whole match) took part in the match. False for -1.
  bool Matched(int index) const {
    return index >= 0 && 2 * static_cast<size_t>(index) + 1 < spans_.size() && spans_[2 * index] >= 0 &&
           spans_[2 * index + 1] >= 0;
  }
  // The text of group `index`, empty when it did not take part.
  std::string_view Group(int index) const {
    if (!Matched(index)) return {};
    return {base_ + spans_[2 * index], static_cast<size_t>(spans_[2 * index + 1] - spans_[2 * index])};
  }
  // Offsets of group `index` in the searched text; only meaningful when Matched(index).
  size_t Begin(int index) const { return Matched(index) ? static_cast<size_t>(spans_[2 * index]) : 0; }
  size_t End(int index) const { return Matched(index) ? static_cast<size_t>(spans_[2 * index + 1]) : 0; }
  // Bytes [begin, end) of the searched text (offsets as Begin and End give them).
  std::string_view Slice(size_t begin, size_t end) const { return {base_ + begin, end - begin}; }
  // Every group's begin and end offset (2 per group, -1 when it did not take part);
  // empty after a miss.
  const std::vector<std::ptrdiff_t>& Spans() const { return spans_; }
  // How much of the text the last search's outcome rested on, when known: a text with
  // the same first ReadExtent() bytes (and, when that passes the end, the same length)
  // gets the same outcome and spans. -1 when not known (Boost ran it, the pattern is not
  // anchored or not compiled with CompileOptions::replay, or the search was answered
  // from a shifted replay).
  std::ptrdiff_t ReadExtent() const;
  // For a search whose pattern begins with a choice-free start (`^[^\[]*\[` before an
  // access log's date) and whose outcome rested on nothing before its end: that end
  // (`start`), the bytes read after it ([start, end)), and, when `rest` >= 0, the
  // length from `start` it also rested on. A text whose choice-free start ends
  // elsewhere (Regex::ChoiceFreeStartEnd) followed by the same bytes gets the same
  // outcome, every offset moved by the difference but the whole match's begin (0).
  // start -1: not known.
  struct ShiftedExtent {
    std::ptrdiff_t start = -1, end = -1, rest = -1;
  };
  ShiftedExtent Shifted() const;
  // After such a search: whether `text`, whose choice-free start ends at `start` and
  // whose bytes after it equal the searched text's (moved) but in [start + from,
  // start + to), has there bytes the search's tests took alike; if so, it too gets the
  // same outcome moved. False when not known.
  bool ShiftedAccepts(std::string_view text, std::ptrdiff_t start, std::ptrdiff_t from, std::ptrdiff_t to) const;
  // After a search whose outcome rested on text[0, ReadExtent()) and came from (or
  // made) a record: whether `text`, equal to the searched one in those bytes but in
  // [from, to), has there bytes the search's tests took alike; if so, it gets the same
  // outcome. False when not known.
  bool RecordAccepts(std::string_view text, std::ptrdiff_t from, std::ptrdiff_t to) const;
  // True when the last search gave up because Boost's complexity limit was exceeded.
  bool complexity_exceeded() const;

 private:
  friend class Regex;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  // Set by every search: offsets of each group's begin and end (2 per group, -1 when
  // the group did not take part), empty after a miss. Read inline: the hot path of
  // every filter asks for groups many times a line.
  const char* base_ = nullptr;
  std::vector<std::ptrdiff_t> spans_;
};

class Regex {
 public:
  // Translates `python_pattern` and compiles it. The error names what is wrong and
  // carries the pattern as fragment; it never throws.
  static Result<Regex> Compile(std::string_view python_pattern, CompileOptions options = {});

  Regex(const Regex&) = default;
  Regex& operator=(const Regex&) = default;
  Regex(Regex&&) noexcept = default;
  Regex& operator=(Regex&&) noexcept = default;
  ~Regex();

  // re.search: finds the first match anywhere in `text`; fills `m` on success.
  bool Search(std::string_view text, Match& m) const;
  // re.match: a match that starts at offset 0 of `text`.
  bool MatchAtStart(std::string_view text, Match& m) const;

  // Number of capturing groups (not counting group 0).
  int GroupCount() const;
  // Index of the named group, or -1 when the pattern has no such group.
  int GroupIndex(std::string_view name) const;
  // Every named group with its index, sorted by name.
  const std::vector<std::pair<std::string, int>>& NamedGroups() const;

  // The bytes a match can begin with when every match begins at the start of the text
  // (a pattern that starts with `^` or \A, run on the backtracker); every byte
  // otherwise. A text whose first byte is not in it cannot match: a filter skips such
  // a failregex with one bit test instead of a search.
  std::bitset<256> FirstBytesAtStart() const;
  // Where the pattern's choice-free start ends in `text` (see Match::Shifted); -1 when
  // it has none, Boost runs it, or `text` does not begin as it demands.
  std::ptrdiff_t ChoiceFreeStartEnd(std::string_view text) const;
  // Whether searches run on the backtracker (see CompileOptions::backtracker).
  bool backtracker() const;
  // The pattern as given (Python syntax).
  const std::string& pattern() const;
  // The literals every match contains, as Search checks them before running the
  // matcher: e.g. ("Failed " AND " from "), or "*" when none are known (tests, -vv).
  std::string prefilter() const;
  // The pattern as handed to Boost (leading global flags, which Boost gets as
  // compile flags, shown as a leading group such as "(?i)").
  const std::string& translated() const;

 private:
  struct Impl;
  explicit Regex(std::shared_ptr<const Impl> impl);
  bool Run(std::string_view text, Match& m, bool anchored) const;
  std::shared_ptr<const Impl> impl_;
};

// Translates Python `re` syntax to Boost perl syntax (exposed for tests and -vv output).
// Fails on constructs that cannot be translated, naming the construct.
Result<std::string> TranslatePython(std::string_view python_pattern, CompileOptions options = {});

}  // namespace portcullis::regex
