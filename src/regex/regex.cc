#include "portcullis/regex/regex.h"

#include <algorithm>
#include <cstring>
#include <exception>
#include <optional>

#include "backtracker.h"
#include "prefilter.h"
#include "python_traits.h"
#include "python_translator.h"

namespace portcullis::regex {

namespace {
// A prefilter literal this long is taken to be rare in lines that do not match.
constexpr size_t kLongLiteral = 16;
}  // namespace

struct Match::Impl {
  boost::match_results<const char*> results;
  boost::match_results<const char*> guard_results;  // scratch for the guard check
  internal::BacktrackState native;  // when the backtracker ran the search
  bool native_used = false;
  bool matched = false;
  bool complexity_exceeded = false;
};

struct Regex::Impl {
  std::string pattern;
  std::string translated;
  internal::BoostRegex boost;
  // A pattern that starts with lookarounds is searched as body + guard check,
  // because Boost tries every position when a pattern starts with an assertion.
  std::optional<internal::BoostRegex> guard, body;
  // The guard is multiline `^`: try the body anchored at each line start instead.
  bool line_starts = false;
  // Literal text every match contains: a text without it is a miss at memmem speed.
  internal::Prefilter prefilter;
  // The prefilter scans for a long literal first: it, not the backtracker's walk of a
  // start of many runs, rejects the texts that do not match (Backtracker::Rejects).
  bool prefilter_first = false;
  // The common subset runs on the backtracker; Boost only where it gives up.
  std::optional<internal::Backtracker> native;
  std::vector<std::pair<std::string, int>> named;
  int group_count = 0;
};

Match::Match() : impl_(std::make_unique<Impl>()) {}
Match::~Match() = default;
Match::Match(Match&&) noexcept = default;
Match& Match::operator=(Match&&) noexcept = default;

bool Match::complexity_exceeded() const { return impl_ && impl_->complexity_exceeded; }

std::ptrdiff_t Match::ReadExtent() const {
  return impl_ && impl_->native_used ? impl_->native.read_extent : -1;
}

Match::ShiftedExtent Match::Shifted() const {
  if (!impl_ || !impl_->native_used || impl_->native.shift_start <= 0) return {};
  const internal::BacktrackState& st = impl_->native;
  return ShiftedExtent{st.shift_start, st.shift_hi, st.shift_rest};
}

namespace {

// Whether text[start + i] lies, for every i in [from, to), in the class the record that
// answered the last search gave its position at + i (positions past the classes were
// not read).
bool RecordTakes(const internal::BacktrackState& st, std::string_view text, std::ptrdiff_t start,
                 std::ptrdiff_t at, std::ptrdiff_t from, std::ptrdiff_t to) {
  if (!st.front_answered || start < 0 || from < 0 || to < from || start + to > static_cast<std::ptrdiff_t>(text.size()))
    return false;
  const internal::ReplayRecord& rec = st.records.front();
  const auto* s = reinterpret_cast<const uint8_t*>(text.data()) + start;
  const auto n = static_cast<std::ptrdiff_t>(rec.classes.size());
  for (std::ptrdiff_t i = from; i < to; ++i)
    if (at + i < n && !rec.classes[static_cast<size_t>(at + i)].Has(s[i])) return false;
  return true;
}

}  // namespace

bool Match::ShiftedAccepts(std::string_view text, std::ptrdiff_t start, std::ptrdiff_t from,
                           std::ptrdiff_t to) const {
  if (!impl_ || !impl_->native_used || impl_->native.shift_start <= 0) return false;
  const internal::BacktrackState& st = impl_->native;
  return RecordTakes(st, text, start, st.records.front().shift_from, from, to);
}

bool Match::RecordAccepts(std::string_view text, std::ptrdiff_t from, std::ptrdiff_t to) const {
  if (!impl_ || !impl_->native_used || impl_->native.read_extent < 0) return false;
  return RecordTakes(impl_->native, text, 0, 0, from, to);
}

namespace {

// Leading global flags are compile flags; shown as a group for people.
std::string DisplayText(const internal::Translation& t) {
  return t.global_flags.empty() ? t.pattern : "(?" + t.global_flags + ")" + t.pattern;
}

// Boost's what() repeats the pattern twice; the first sentence is the reason.
std::string BoostReason(const std::exception& e) {
  std::string_view what = e.what();
  if (auto cut = what.find(".  "); cut != std::string_view::npos) what = what.substr(0, cut + 1);
  return std::string(what);
}

}  // namespace

Result<Regex> Regex::Compile(std::string_view python_pattern, CompileOptions options) {
  auto translation = internal::Translate(python_pattern, options);
  if (!translation) return std::unexpected(translation.error());
  auto impl = std::make_shared<Impl>();
  impl->pattern = std::string(python_pattern);
  impl->translated = DisplayText(*translation);
  impl->named = std::move(translation->named);
  impl->group_count = translation->group_count;
  namespace rc = boost::regex_constants;
  auto flags = rc::perl | rc::no_mod_m;
  const std::string& global = translation->global_flags;
  flags |= global.find('s') != std::string::npos ? rc::mod_s : rc::no_mod_s;
  const bool icase = options.ignore_case || global.find('i') != std::string::npos;
  if (icase) flags |= rc::icase;
  const std::string& boost_pattern = translation->pattern;
  const size_t guard = translation->guard_length;
  try {
    impl->boost.assign(boost_pattern, flags);
    impl->line_starts = translation->guard_is_line_start;
    if (options.prefilter) impl->prefilter = internal::Prefilter::ForPattern(boost_pattern, icase);
    if (impl->prefilter.always() && !icase)  // the top-level literal, even a short one
      impl->prefilter = internal::Prefilter::ForLiteral(std::move(translation->required_literal));
    impl->prefilter_first = impl->prefilter.first_literal_size() >= kLongLiteral;
    if (options.backtracker) {
      auto native = internal::Backtracker::Compile(python_pattern, options.multiline, icase, options.replay);
      if (native && native->group_count() == impl->group_count) impl->native = std::move(native);
    }
    if (guard > 0) {
      impl->guard.emplace(boost_pattern.substr(0, guard), flags);
      impl->body.emplace(boost_pattern.substr(guard), flags);
    }
  } catch (const std::exception& e) {
    return Fail(BoostReason(e), "", 0, std::string(python_pattern));
  }
  return Regex(std::move(impl));
}

Regex::Regex(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
Regex::~Regex() = default;

namespace {

namespace rc = boost::regex_constants;

// The body's leftmost match where the guard also holds: the pattern's match,
// since the guard is zero-width and captures nothing.
template <class RegexImpl, class MatchImpl>
bool GuardedSearch(const RegexImpl& re, const char* begin, const char* end, MatchImpl& m) {
  for (const char* from = begin;; ++from) {
    const auto flags = from == begin ? rc::match_default : rc::match_prev_avail;
    if (!boost::regex_search(from, end, m.results, *re.body, flags, begin)) return false;
    from = m.results[0].first;
    const auto at = rc::match_continuous | (from == begin ? rc::match_default : rc::match_prev_avail);
    if (boost::regex_search(from, end, m.guard_results, *re.guard, at, begin)) return true;
    if (from == end) return false;
  }
}

// Multiline `^` first: the body anchored at each line start, as Python does.
template <class RegexImpl, class MatchImpl>
bool LineStartSearch(const RegexImpl& re, const char* begin, const char* end, MatchImpl& m) {
  for (const char* line = begin;;) {
    const auto flags = rc::match_continuous | (line == begin ? rc::match_default : rc::match_prev_avail);
    if (boost::regex_search(line, end, m.results, *re.body, flags, begin)) return true;
    const void* newline = std::memchr(line, '\n', static_cast<size_t>(end - line));
    if (newline == nullptr) return false;
    line = static_cast<const char*>(newline) + 1;
  }
}

// Runs one search; complexity and stack limits become a miss. A template so that
// only the friend Regex names Match::Impl and Regex::Impl.
template <class RegexImpl, class MatchImpl>
bool RunSearch(const RegexImpl& re, std::string_view text, MatchImpl& m, bool anchored) {
  const char* begin = text.data();
  const char* end = begin + text.size();
  m.complexity_exceeded = false;
  m.native.read_extent = -1;
  m.native.shift_start = -1;
  m.native.front_answered = false;
  if ((re.native && re.native->Rejects(text, anchored, re.prefilter_first)) || !re.prefilter.MayMatch(text)) {
    m.matched = false;
    return false;
  }
  if (re.native) {
    const auto outcome = re.native->Search(text, anchored, m.native);
    if (outcome != internal::Backtracker::Outcome::kGaveUp) {
      m.native_used = true;
      m.matched = outcome == internal::Backtracker::Outcome::kMatch;
      return m.matched;
    }
  }
  m.native_used = false;
  try {
    if (anchored) m.matched = boost::regex_search(begin, end, m.results, re.boost, rc::match_continuous);
    else if (re.line_starts) m.matched = LineStartSearch(re, begin, end, m);
    else if (re.body) m.matched = GuardedSearch(re, begin, end, m);
    else m.matched = boost::regex_search(begin, end, m.results, re.boost, rc::match_default);
  } catch (const std::exception&) {
    m.matched = false;
    m.complexity_exceeded = true;
  }
  return m.matched;
}

}  // namespace

bool Regex::Search(std::string_view text, Match& m) const { return Run(text, m, false); }

bool Regex::MatchAtStart(std::string_view text, Match& m) const { return Run(text, m, true); }

bool Regex::Run(std::string_view text, Match& m, bool anchored) const {
  if (!m.impl_) m.impl_ = std::make_unique<Match::Impl>();  // a moved-from Match
  Match::Impl& mi = *m.impl_;
  m.base_ = text.data();
  m.spans_.clear();
  if (!RunSearch(*impl_, text, mi, anchored)) return false;
  const size_t size = 2 * static_cast<size_t>(impl_->group_count + 1);
  if (mi.native_used) {
    m.spans_.assign(mi.native.regs.begin(), mi.native.regs.begin() + static_cast<std::ptrdiff_t>(size));
    return true;
  }
  m.spans_.assign(size, -1);
  for (size_t i = 0; i < mi.results.size() && 2 * i < size; ++i) {
    if (!mi.results[i].matched) continue;
    m.spans_[2 * i] = mi.results[i].first - text.data();
    m.spans_[2 * i + 1] = mi.results[i].second - text.data();
  }
  return true;
}

int Regex::GroupCount() const { return impl_->group_count; }

int Regex::GroupIndex(std::string_view name) const {
  const auto& named = impl_->named;
  auto it = std::lower_bound(named.begin(), named.end(), name,
                             [](const auto& entry, std::string_view n) { return entry.first < n; });
  return it != named.end() && it->first == name ? it->second : -1;
}

const std::vector<std::pair<std::string, int>>& Regex::NamedGroups() const { return impl_->named; }
bool Regex::backtracker() const { return impl_->native.has_value(); }

std::ptrdiff_t Regex::ChoiceFreeStartEnd(std::string_view text) const {
  return impl_->native ? impl_->native->ChoiceFreeStartEnd(text) : -1;
}

std::bitset<256> Regex::FirstBytesAtStart() const {
  if (!impl_->native) return std::bitset<256>().set();
  return impl_->native->FirstBytesAtStart();
}
const std::string& Regex::pattern() const { return impl_->pattern; }
std::string Regex::prefilter() const { return impl_->prefilter.ToString(); }
const std::string& Regex::translated() const { return impl_->translated; }

Result<std::string> TranslatePython(std::string_view python_pattern, CompileOptions options) {
  auto translation = internal::Translate(python_pattern, options);
  if (!translation) return std::unexpected(translation.error());
  return DisplayText(*translation);
}

}  // namespace portcullis::regex
