#include "search_hints.h"

#include "python_translator.h"

namespace portcullis::regex::internal {
namespace {
constexpr std::string_view kLineStart = "(?<![^\\n])";  // Python's multiline `^`
}  // namespace

void SearchHints::Atom(std::string_view literal) {
  leading_ = false;
  if (literal.empty()) {
    BreakRun();
    return;
  }
  run_ += literal;
  last_literal_ = literal.size();
}

void SearchHints::Other() {
  leading_ = false;
  BreakRun();
}

void SearchHints::LineStart(size_t out_end) {
  if (leading_) guard_end_ = out_end;
  else Other();
}

void SearchHints::Repeat(size_t atom_start) {
  if (atom_start < guard_end_) guard_end_ = atom_start;  // a repeated lookaround
  leading_ = false;
  run_.resize(run_.size() - last_literal_);  // a repeated literal is not required
  BreakRun();
}

void SearchHints::GroupOpened(bool lookaround) {
  if (!lookaround) leading_ = false;
  BreakRun();
}

void SearchHints::GroupClosed(bool pure_lookaround, size_t out_end) {
  if (leading_ && pure_lookaround) guard_end_ = out_end;
  else leading_ = false;
}

void SearchHints::Bar() {
  bar_ = true;
  Other();
}

void SearchHints::BreakRun() {
  if (run_.size() > required_.size()) required_ = run_;
  run_.clear();
  last_literal_ = 0;
}

void SearchHints::Finish(Translation& t, std::string_view pattern, bool ignore_case) {
  BreakRun();
  if (bar_) return;
  if (guard_end_ < pattern.size()) t.guard_length = guard_end_;
  t.guard_is_line_start = t.guard_length > 0 && pattern.substr(0, t.guard_length) == kLineStart;
  if (!ignore_case) t.required_literal = required_;
}

}  // namespace portcullis::regex::internal
