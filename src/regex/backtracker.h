#pragma once
// A small backtracking matcher for the common subset of Python `re` patterns, run in
// place of Boost.Regex where it can be. Private to the regex module.
//
// Why: Boost.Regex spends several hundred instructions setting up every search before it
// reads a character, and a few thousand on a date template; fail2ban's date templates and
// most failregexes use a handful of constructs (literals, classes, groups, alternation,
// greedy and lazy repeats, anchors, \b, look-arounds, back-references) that a direct
// backtracker runs in a fraction of that. It follows Python's semantics for what it
// accepts (leftmost match, first alternative first, greedy or lazy repeats, an empty
// iteration ends a loop) on bytes, with the same character classes as PythonTraits
// (bytes >= 0x80 are word characters, \s adds 0x1c-0x1f). Anything else (verbose mode,
// scoped flags, conditionals, possessive repeats, non-ASCII in a class) makes
// Backtracker::Compile return nothing and Boost runs the pattern as before.
//
// A search that takes too many steps or nests too deep gives up (kGaveUp); the caller
// then runs Boost, so pathological patterns behave exactly as they did.

#include <cstddef>
#include <array>
#include <bitset>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "byte_set.h"

namespace portcullis::regex::internal {

// A recorded anchored search, replayed on a text that has, at every position it read, a
// byte its tests could not tell from the one it read there: the search is a function of
// its tests' outcomes, so it would take the same path to the same spans. (Log lines of
// one second share their date; the next second's differ in digits a date template only
// tests for being digits.)
struct ReplayRecord {
  const void* program = nullptr;
  std::vector<ByteSet> classes;  // per position below hi: the bytes that test alike
  intptr_t hi = 0;   // one past the last position it read or tested for the end
  intptr_t len = 0;  // its text's length, which must recur when hi passed it
  bool matched = false;
  std::vector<intptr_t> regs;
  // Where the pattern's choice-free start (`^[^\[]*\[` before an access log's date)
  // ended in the recorded text, when the search read nothing before it but that start's
  // own tests and no group begins or ends inside it: a text whose choice-free start
  // ends elsewhere replays then with every position from there on shifted. -1: not.
  intptr_t shift_from = -1;
  // Where the program's tail run (Program::tail: the `.+` of a prefregex's `.+$`) began
  // in the recorded text, when the match ended with it: its bytes and `$` are not in
  // the record, and a text whose run from there reaches its end (or a final newline)
  // replays with every span that ended at tail_end ending there. -1: no tail.
  intptr_t tail_from = -1;
  intptr_t tail_end = -1;
};

// Register writes to undo on backtracking: (register, old value). A plain array and a
// count: a write is the search's most frequent step, too frequent for a call.
struct UndoLog {
  std::vector<std::pair<int, intptr_t>> entries;
  size_t size = 0;
  void clear() { size = 0; }
  __attribute__((always_inline)) void Push(int reg, intptr_t old) {
    if (size == entries.size()) [[unlikely]] Grow();
    entries[size++] = {reg, old};
  }
  __attribute__((noinline)) void Grow() { entries.resize(entries.empty() ? 64 : 2 * entries.size()); }
};

// Per-search scratch: reused by one thread, it keeps its storage.
struct BacktrackState {
  std::vector<intptr_t> regs;                      // group spans (2 per group), then loop registers
  UndoLog trail;                                   // undo log of register writes
  // The last few recorded searches, the one answering last first: a prefregex's lines
  // come in a few shapes (sshd[pid], CRON[pid], sudo: ...) that take turns, a date
  // template's in a few (the digits of an hour or a minute crossing a class).
  static constexpr size_t kRecords = 8;
  std::array<ReplayRecord, kRecords> records;
  // What the last search's outcome rested on: text[0, read_extent), and the length when
  // read_extent passed it; -1 when not known (not anchored, a shifted or tail replay).
  intptr_t read_extent = -1;
  // Or, when the outcome was a shifted replay's (or recorded as one may be): it rested
  // on the choice-free start ending at shift_start and on text[shift_start, shift_hi),
  // and, when shift_rest >= 0, on the text holding shift_rest bytes from shift_start.
  // -1: not known.
  intptr_t shift_start = -1, shift_hi = -1, shift_rest = -1;
  // Whether records.front() answered (or recorded) the last search.
  bool front_answered = false;
  std::vector<ByteSet> classes;  // written by the search being recorded
  std::vector<intptr_t> need_from;  // per needed literal: where it was last looked for, and found
  // Replays tried and answered lately (halved as they grow): while under a third are
  // answered, one search in many is recorded (recording costs about a third of a
  // search; texts that differ in what the regex reads do not pay it back).
  unsigned replay_tries = 0, replay_hits = 0;
  unsigned searches = 0;
};

class Backtracker {
 public:
  enum class Outcome { kMatch, kNoMatch, kGaveUp };

  // Nothing when the pattern uses a construct this matcher does not run.
  // `replay`: keep a record of anchored searches and replay them (BacktrackState).
  static std::optional<Backtracker> Compile(std::string_view python_pattern, bool multiline, bool ignore_case,
                                            bool replay = false);

  // re.search (or re.match when `anchored`). On kMatch, state.regs[2g] / [2g+1] are the
  // offsets of group g in `text`, -1 when it did not take part.
  Outcome Search(std::string_view text, bool anchored, BacktrackState& state) const;

  // True when a search anchored at the start (re.match, or a pattern that begins with
  // `^`) cannot match `text`: its first bytes do not fit, or it does not begin as the
  // pattern's choice-free start (`^\s*\[error\] \d+#\d+: \*\d+ user "`) demands. One
  // pass over those bytes; the sshd filter's two dozen failregexes mostly end here.
  // `prefilter_first`: a prefilter leading with a long literal checks the text next
  // (Regex's prefilter_first), so a choice-free start of many runs, slower to walk than
  // that scan, is left to it.
  bool Rejects(std::string_view text, bool anchored, bool prefilter_first = false) const;

  // Where the pattern's choice-free start (Program::linear) ends in `text`; -1 when the
  // pattern has none or `text` does not begin as it demands.
  intptr_t ChoiceFreeStartEnd(std::string_view text) const;

  // Bit c set: a search anchored at the start may match a text beginning with byte c
  // (all set for a pattern not anchored at the start).
  std::bitset<256> FirstBytesAtStart() const;

  int group_count() const;

  struct Program;

 private:
  explicit Backtracker(std::shared_ptr<const Program> program) : program_(std::move(program)) {}
  std::shared_ptr<const Program> program_;
};

}  // namespace portcullis::regex::internal
