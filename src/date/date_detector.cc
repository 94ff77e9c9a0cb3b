#include "portcullis/date/date_detector.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <cstring>
#include <unordered_set>

#include "date/directives.h"
#include "date/template_list.h"
#include "date/template_regex.h"
#include "date/time_zone.h"
#include "portcullis/regex/regex.h"

namespace portcullis::date {
namespace {

constexpr size_t kNoIndex = 0x7fffffff;
constexpr int64_t kFar = 0x7fffffff;
constexpr double kUnusedTime = 300;  // a template unused this long may be displaced
constexpr int kNoChar = -1;          // Python's '' from an out-of-range slice

int LocalYear(double seconds) {
  time_t t = static_cast<time_t>(std::floor(seconds));
  struct tm tm {};
  localtime_r(&t, &tm);
  return tm.tm_year + 1900;
}

// fail2ban builds %ExY from the wall clock at start-up; a clock set in the future (tests)
// widens the range so its years still match.
std::string ExactYearFor(const Clock& clock) {
  double wall = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  return ExactYearRegex(std::max(LocalYear(wall), LocalYear(clock.Now())));
}

// line[i-1:i] and line[i:i+1] as Python slices them: one byte or nothing.
int CharBefore(std::string_view line, size_t i) {
  return i >= 1 && i - 1 < line.size() ? static_cast<unsigned char>(line[i - 1]) : kNoChar;
}
int CharAt(std::string_view line, size_t i) {
  return i < line.size() ? static_cast<unsigned char>(line[i]) : kNoChar;
}

// str.isalnum() of one character; bytes of multi-byte UTF-8 count as letters.
bool IsAlnum(int c) { return c != kNoChar && (std::isalnum(c) || c >= 0x80); }

// Python measures distances in characters, not bytes.
// Eight bytes at a time: an access log's date lies after the client address.
int64_t CodePoints(std::string_view line, size_t bytes) {
  const size_t end = std::min(bytes, line.size());
  int64_t n = static_cast<int64_t>(end);
  size_t i = 0;
  for (; i + 8 <= end; i += 8) {  // continuation bytes are 10xxxxxx
    uint64_t word;
    std::memcpy(&word, line.data() + i, 8);
    n -= __builtin_popcountll(word & ~(word << 1) & 0x8080808080808080ULL);
  }
  for (; i < end; ++i) n -= (static_cast<unsigned char>(line[i]) & 0xC0) == 0x80;
  return n;
}

// Whether a time whose year is inferred from "now" lies within days of where that
// inference changes (a day after now; the last time may be a year before it): there a
// time moved by some seconds may need another year.
bool NearInference(double t, double whole_now) {
  const double boundary = whole_now + 86400, year = 365 * 86400.0, margin = 3 * 86400.0;
  return std::fabs(t - boundary) < margin || std::fabs(t + year - boundary) < 2 * margin;
}

// Two ASCII digits as a number of seconds (0-59), or -1.
int TwoDigitSeconds(const char* p) {
  if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9') return -1;
  const int v = (p[0] - '0') * 10 + (p[1] - '0');
  return v <= 59 ? v : -1;
}

}  // namespace

struct DateDetector::Impl {
  // A template in this detector, with fail2ban's per-detector bookkeeping.
  struct Entry {
    TemplatePtr tpl;
    double weight = 1;       // the template's, unless fail2ban's cache shares a heavier one
    unsigned hits = 0;       // lines this template won (fail2ban-regex's "hits")
    unsigned searches = 0;   // lines its regex matched at all (DateTemplate.hits)
    double last_used = 0;
    int64_t distance = kFar;  // where in the line it last found the date
    double Weight() const { return hits * weight / static_cast<double>(std::max<int64_t>(1, distance)); }
  };
  // A match found by some template, kept while the search goes on.
  struct Candidate {
    size_t index = kNoIndex;
    size_t begin = 0, end = 0;  // bytes of group 0, in the line
    int64_t distance = kFar;    // characters before the match
  };

  explicit Impl(const Clock& c) : clock(c), exact_year(ExactYearFor(c)) {}

  Result<void> Append(std::string_view line);
  bool SearchWhole(size_t index, std::string_view line, regex::Match& m, size_t& offset);
  bool SearchWithin(size_t index, std::string_view line, size_t from, size_t to);
  bool FastPathAllowed(std::string_view line) const;
  Candidate FastPath(std::string_view line, size_t& ignore, bool& won);
  Candidate FullSearch(std::string_view line, size_t ignore, Candidate found, bool& won);
  void Win(const Candidate& c, std::string_view line, double now);
  size_t Reorder(size_t num);

  const Clock& clock;
  std::string exact_year;
  std::vector<Entry> entries;
  std::unordered_set<std::string> names;
  bool lazy_defaults = false;
  bool has_defaults = false;
  std::string description;
  std::optional<int> default_tz;

  size_t last_index = kNoIndex;
  unsigned long full_search_wins = 0;
  size_t first_unused = 0;
  // The last winning match: start (bytes, characters), char before, first char; end
  // (bytes), last char, char after (datedetector.py __lastPos / __lastEndPos).
  size_t last_begin = 1;
  int64_t last_distance = 1;
  int last_before = kNoChar, last_first = kNoChar;
  size_t last_end = kFar;
  int last_final = kNoChar, last_after = kNoChar;

  regex::Match current, best;  // reused: no allocation per line once warm
  size_t current_offset = 0, best_offset = 0;

  // The last conversion: consecutive lines mostly carry the same date (fail2ban converts
  // each again; the result is the same). ToTime reads only the field texts, the zone and
  // the whole seconds of "now" (its comparisons are between whole seconds), so those are
  // the key.
  std::optional<ConvertedTime> Convert(const DateTemplate& tpl, const regex::Match& m, double now);

  // The last line's answer, when the last template found its date there at once (an
  // anchored template, no other searched) and its regex says on which first bytes that
  // rested: a line that begins with the same bytes, in the same second of "now", gets
  // the same answer without a search (most lines of a log share their second). Or, when
  // the regex says the answer rested on the bytes after its choice-free start (an access
  // log's `^[^\[]*\[` before the date), a line with the same bytes after its own.
  // `now`: the clock, read once a line.
  std::optional<DateMatch> Repeat(std::string_view line, double now);
  std::optional<DateMatch> RepeatShifted(std::string_view line, double now);
  bool OtherSecond(std::string_view line, std::ptrdiff_t start) const;
  void MoveSeconds(const char* bytes);
  void Remember(std::string_view line, const Candidate& c, const DateMatch& out, double whole_now);
  bool quick_valid = false;
  size_t quick_index = kNoIndex;
  std::string quick_bytes;
  bool quick_whole = false;  // the answer rested on the length too
  std::ptrdiff_t quick_start = -1;  // shifted: where the choice-free start ended; else -1
  std::ptrdiff_t quick_rest = -1;   // shifted: the length from there it rested on, or -1
  // The seconds' two bytes within quick_bytes when a line differing only there (and
  // taken alike by the regex) gets the time moved by the difference; -1: not.
  std::ptrdiff_t quick_seconds = -1;
  bool quick_infers_year = false;
  Candidate quick_c;
  DateMatch quick_out;
  double quick_now = 0;
  std::optional<int> quick_tz;
  const DateTemplate* memo_template = nullptr;
  DateTemplate::TimeKey memo_key;
  double memo_now = 0;
  std::optional<int> memo_tz;
  std::optional<ConvertedTime> memo_time;
};

std::optional<ConvertedTime> DateDetector::Impl::Convert(const DateTemplate& tpl, const regex::Match& m,
                                                        double now) {
  const double whole_now = std::floor(now);
  if (memo_template == &tpl && memo_now == whole_now && memo_tz == default_tz) {
    const std::optional<int> later = tpl.SecondsLater(m, memo_key);
    if (later == 0) return memo_time;
    // The next second of the same minute: the last time moved by the difference, unless
    // the year comes from now and the date, in now's year, is within days of where that
    // inference changes (a day after now; the last time may be a year before it).
    if (memo_time) {
      if (later && (!tpl.InfersYear(memo_key) || !NearInference(memo_time->seconds, whole_now))) {
        memo_time->seconds += *later;
        tpl.WriteTimeKey(m, memo_key);
        return memo_time;
      }
    }
  }
  memo_time = tpl.ToTime(m, default_tz, now);
  memo_template = &tpl;
  memo_now = whole_now;
  memo_tz = default_tz;
  tpl.WriteTimeKey(m, memo_key);
  return memo_time;
}

std::optional<DateMatch> DateDetector::Impl::Repeat(std::string_view line, double now) {
  if (!quick_valid || quick_index != last_index || quick_tz != default_tz) return std::nullopt;
  if (quick_start >= 0) return RepeatShifted(line, now);
  if (quick_whole ? line.size() != quick_bytes.size() : line.size() < quick_bytes.size()) return std::nullopt;
  const bool same = std::memcmp(line.data(), quick_bytes.data(), quick_bytes.size()) == 0;
  if (!same && !OtherSecond(line, 0)) return std::nullopt;
  if (std::floor(now) != quick_now) return std::nullopt;
  if (!same) MoveSeconds(line.data());
  ++entries[quick_index].searches;  // as SearchWhole counts its match
  Win(quick_c, line, now);
  return quick_out;
}

// Every offset moved by the shift but the whole match's begin, as the regex moves them.
std::optional<DateMatch> DateDetector::Impl::RepeatShifted(std::string_view line, double now) {
  const std::ptrdiff_t start = entries[quick_index].tpl->ChoiceFreeStartEnd(line);
  if (start <= 0) return std::nullopt;
  const auto from = static_cast<size_t>(start);
  const size_t rest = line.size() - from;
  if (quick_rest >= 0 ? rest != static_cast<size_t>(quick_rest) : rest < quick_bytes.size()) return std::nullopt;
  const char* bytes = line.data() + from;
  const bool same = std::memcmp(bytes, quick_bytes.data(), quick_bytes.size()) == 0;
  if (!same && !OtherSecond(line, start)) return std::nullopt;
  if (std::floor(now) != quick_now) return std::nullopt;
  if (!same) MoveSeconds(bytes);
  const std::ptrdiff_t shift = start - quick_start;
  Candidate c = quick_c;
  c.end = static_cast<size_t>(static_cast<std::ptrdiff_t>(c.end) + shift);
  c.distance = CodePoints(line, c.begin);
  DateMatch out = quick_out;
  if (out.end > out.begin) {
    out.begin = static_cast<size_t>(static_cast<std::ptrdiff_t>(out.begin) + shift);
    out.end = static_cast<size_t>(static_cast<std::ptrdiff_t>(out.end) + shift);
  }
  ++entries[quick_index].searches;  // as SearchWhole counts its match
  Win(c, line, now);
  return out;
}

// The last answer for the next second (or another of the same minute) whose bytes (from
// where quick_bytes begins) are at `bytes`: its time moved as Convert moves it.
void DateDetector::Impl::MoveSeconds(const char* bytes) {
  const auto sec = static_cast<size_t>(quick_seconds);
  *quick_out.time += TwoDigitSeconds(bytes + sec) - TwoDigitSeconds(quick_bytes.data() + sec);
  quick_bytes[sec] = bytes[sec];
  quick_bytes[sec + 1] = bytes[sec + 1];
}

// Whether `line` (from `start` on: the end of its choice-free start when shifted, else
// 0) differs from the last one only in the seconds, both valid, in bytes the regex
// takes alike, with a time that moves by them.
bool DateDetector::Impl::OtherSecond(std::string_view line, std::ptrdiff_t start) const {
  if (quick_seconds < 0 || !quick_out.time) return false;
  const char* bytes = line.data() + start;
  const auto sec = static_cast<size_t>(quick_seconds);
  if (std::memcmp(bytes, quick_bytes.data(), sec) != 0 ||
      std::memcmp(bytes + sec + 2, quick_bytes.data() + sec + 2, quick_bytes.size() - sec - 2) != 0)
    return false;
  if (TwoDigitSeconds(bytes + sec) < 0 || TwoDigitSeconds(quick_bytes.data() + sec) < 0) return false;
  if (quick_infers_year && NearInference(*quick_out.time, quick_now)) return false;
  return quick_start >= 0 ? current.ShiftedAccepts(line, start, quick_seconds, quick_seconds + 2)
                          : current.RecordAccepts(line, quick_seconds, quick_seconds + 2);
}

void DateDetector::Impl::Remember(std::string_view line, const Candidate& c, const DateMatch& out,
                                  double whole_now) {
  const std::ptrdiff_t extent = current.ReadExtent();
  const regex::Match::ShiftedExtent shifted = extent < 0 ? current.Shifted() : regex::Match::ShiftedExtent{};
  quick_valid = extent >= 0 || (shifted.start > 0 && c.begin == 0 && (out.end == out.begin || out.begin >= static_cast<size_t>(shifted.start)));
  if (!quick_valid) return;
  quick_start = -1;
  std::ptrdiff_t from = 0;  // where quick_bytes begins in the line
  if (extent >= 0) {
    quick_whole = static_cast<size_t>(extent) > line.size();
    quick_bytes.assign(line.substr(0, static_cast<size_t>(extent)));
  } else {
    quick_start = from = shifted.start;
    quick_rest = shifted.rest;
    const size_t end = std::min(static_cast<size_t>(shifted.end), line.size());
    quick_bytes.assign(line.substr(static_cast<size_t>(shifted.start), end - static_cast<size_t>(shifted.start)));
  }
  const auto [sb, se] = entries[c.index].tpl->MovableSeconds(current, quick_infers_year);
  quick_seconds = sb >= from && se <= from + static_cast<std::ptrdiff_t>(quick_bytes.size()) ? sb - from : -1;
  quick_index = c.index;
  quick_c = c;
  quick_out = out;
  quick_now = whole_now;
  quick_tz = default_tz;
}

Result<void> DateDetector::Impl::Append(std::string_view line) {
  quick_valid = false;
  auto expansion = ExpandDatePattern(line, exact_year);
  if (!expansion) return Fail(expansion.error());
  const bool ignore_duplicates = expansion->from_defaults && !entries.empty();
  has_defaults = has_defaults || expansion->all_defaults;
  for (TemplatePtr& t : expansion->templates) {
    if (!names.insert(t->name()).second) {
      if (ignore_duplicates) continue;
      return Fail("There is already a template with name " + t->name());
    }
    const double weight = t->weight();
    entries.push_back(Entry{std::move(t), weight});
  }
  return {};
}

bool DateDetector::Impl::SearchWhole(size_t index, std::string_view line, regex::Match& m, size_t& offset) {
  offset = 0;
  if (!entries[index].tpl->Search(line, m)) return false;
  ++entries[index].searches;
  return true;
}

// Python's search(line, pos, endpos): the first match starting at or after `from` in
// line[:to], with `^`, `\b` and look-behinds seeing the whole line. Searching line[:to]
// gives exactly that unless its first match starts before `from`; only then is the
// slice searched (where `^` would also match at `from`: a rare approximation).
bool DateDetector::Impl::SearchWithin(size_t index, std::string_view line, size_t from, size_t to) {
  const DateTemplate& tpl = *entries[index].tpl;
  if (from > to) return false;
  current_offset = 0;
  if (!tpl.Search(line.substr(0, to), current)) return false;
  if (current.Begin(0) < from) {
    current_offset = from;
    if (!tpl.Search(line.substr(from, to - from), current)) return false;
  }
  ++entries[index].searches;
  return true;
}

// The last template is retried inside the last date's span only when the characters
// around it agree with the last line (equal outside, or equal non-alphanumeric inside).
bool DateDetector::Impl::FastPathAllowed(std::string_view line) const {
  const bool left = CharBefore(line, last_begin) == last_before ||
                    (CharAt(line, last_begin) == last_first && !IsAlnum(last_first));
  const bool right = CharAt(line, last_end) == last_after ||
                     (CharBefore(line, last_end) == last_final && !IsAlnum(last_final));
  return left && right;
}

auto DateDetector::Impl::FastPath(std::string_view line, size_t& ignore, bool& won) -> Candidate {
  Candidate none;
  const size_t i = last_index;
  if (i >= entries.size()) return none;
  const DateTemplate& tpl = *entries[i].tpl;
  bool found = false;
  if (tpl.anchored() || !FastPathAllowed(line)) {
    found = SearchWhole(i, line, current, current_offset);
    ignore = i;
  } else {
    found = SearchWithin(i, line, std::min(last_begin, line.size()), std::min<size_t>(last_end, line.size()));
  }
  if (!found) return none;
  Candidate c{i, current_offset + current.Begin(0), current_offset + current.End(0), 0};
  c.distance = CodePoints(line, c.begin);
  won = entries.size() == 1 || tpl.anchored() || (c.begin == last_begin && c.end == last_end);
  if (!won) {
    std::swap(current, best);
    best_offset = current_offset;
  }
  return c;
}

// Every template in order; the first acceptable match wins, a match that lies further
// into the line than expected is only kept as a candidate (the nearest one is used if
// nothing better turns up).
auto DateDetector::Impl::FullSearch(std::string_view line, size_t ignore, Candidate found, bool& won)
    -> Candidate {
  const size_t n = entries.size();
  for (size_t j = 0; j < n; ++j) {
    if (j == ignore || !SearchWhole(j, line, current, current_offset)) continue;
    Candidate c{j, current.Begin(0), current.End(0), 0};
    c.distance = CodePoints(line, c.begin);
    won = j + 1 >= n || entries[j].tpl->anchored() ||
          (c.begin == 0 && entries[j].hits && entries[j + 1].searches == 0);
    if (won) return c;
    if (c.distance > entries[j].distance || c.distance > last_distance) {
      if (c.distance < found.distance) {
        found = c;
        std::swap(current, best);
        best_offset = current_offset;
      }
      continue;
    }
    won = true;
    return c;
  }
  return found;
}

void DateDetector::Impl::Win(const Candidate& c, std::string_view line, double now) {
  Entry& e = entries[c.index];
  ++e.hits;
  e.last_used = now;
  e.distance = c.distance;
  if (first_unused == c.index) ++first_unused;
  last_begin = c.begin;
  last_distance = c.distance;
  last_before = CharBefore(line, c.begin);
  last_first = CharAt(line, c.begin);
  last_end = c.end;
  // line[end-1] indexes from the back when end == 0, as in Python.
  last_final = c.end > 0 ? CharAt(line, c.end - 1) : line.empty() ? kNoChar : CharAt(line, line.size() - 1);
  last_after = CharAt(line, c.end);
  size_t i = c.index;
  if (i && i != last_index) i = Reorder(i);
  last_index = i;
}

// Bubbles the winner up: to the first never-used slot, else halfway to the top, if it
// weighs more than the template there or that one has been idle for 5 minutes;
// otherwise one step up under the same rule.
size_t DateDetector::Impl::Reorder(size_t num) {
  const Entry& e = entries[num];
  const double idle_since = e.last_used - kUnusedTime;
  const double weight = e.Weight();
  auto movable = [&](size_t pos) { return weight > entries[pos].Weight() || idle_since > entries[pos].last_used; };
  size_t pos = first_unused < num ? first_unused : num / 2;
  if (!movable(pos)) {
    if (pos == num - 1) return num;
    pos = num - 1;
    if (!movable(pos)) return num;
  }
  std::rotate(entries.begin() + static_cast<std::ptrdiff_t>(pos), entries.begin() + static_cast<std::ptrdiff_t>(num),
              entries.begin() + static_cast<std::ptrdiff_t>(num) + 1);
  while (first_unused < entries.size() && entries[first_unused].hits) ++first_unused;
  return pos;
}

Result<DateDetector> DateDetector::Create(std::optional<std::string_view> datepattern, const Clock& clock) {
  auto impl = std::make_unique<Impl>(clock);
  for (std::string_view rest = datepattern.value_or(""); !rest.empty();) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.front()))) line.remove_prefix(1);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.remove_suffix(1);
    if (line.empty()) continue;
    if (auto ok = impl->Append(line); !ok) return Fail(ok.error());
  }
  const size_t n = impl->entries.size();
  impl->lazy_defaults = n == 0;
  if (impl->has_defaults)
    for (Impl::Entry& e : impl->entries)
      if (IsAnchoredDefaultKey(e.tpl->key())) e.weight = 100.0;
  impl->description = n == 0 || n > 2 ? "Default Detectors" : impl->entries[0].tpl->name();
  return DateDetector(std::move(impl));
}

Result<void> DateDetector::CompileDefaults() {
  auto all = DefaultTemplates(ExactYearRegex(LocalYear(static_cast<double>(std::time(nullptr)))));
  if (!all) return Fail(all.error());
  for (const TemplatePtr& t : *all)
    if (!t->compiles()) return Fail("default date template does not compile: " + t->regex());
  return {};
}

DateDetector::DateDetector(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DateDetector::DateDetector(DateDetector&&) noexcept = default;
DateDetector& DateDetector::operator=(DateDetector&&) noexcept = default;
DateDetector::~DateDetector() = default;

Result<void> DateDetector::SetDefaultTimeZone(std::string_view timezone) {
  auto minutes = ParseLogTimeZone(timezone);
  if (!minutes) return Fail(minutes.error());
  impl_->default_tz = *minutes;
  return {};
}

std::optional<DateMatch> DateDetector::Match(std::string_view line) { return Match(line, impl_->clock.Now()); }

std::optional<DateMatch> DateDetector::Match(std::string_view line, double now) {
  Impl& d = *impl_;
  if (d.entries.empty() && d.lazy_defaults) {
    if (!d.Append("{DEFAULT}")) return std::nullopt;
  }
  if (auto repeated = d.Repeat(line, now)) return repeated;
  size_t ignore = kNoIndex;
  bool won = false;
  Impl::Candidate c = d.FastPath(line, ignore, won);
  const bool at_once = won && ignore == c.index && d.entries[c.index].tpl->anchored();
  if (!won) {
    c = d.FullSearch(line, ignore, c, won);
    if (c.index != kNoIndex) ++d.full_search_wins;
  }
  if (c.index == kNoIndex) return std::nullopt;
  const regex::Match& m = won ? d.current : d.best;
  const size_t offset = won ? d.current_offset : d.best_offset;
  const DateTemplate* tpl = d.entries[c.index].tpl.get();  // entries keep it alive
  d.Win(c, line, now);
  DateMatch out;
  if (m.Matched(1)) {
    out.begin = offset + m.Begin(1);
    out.end = offset + m.End(1);
  }
  if (out.end > out.begin) {
    if (auto t = d.Convert(*tpl, m, now)) {
      out.time = t->seconds;
      out.time_is_integer = t->integral;
    }
  }
  if (at_once) d.Remember(line, c, out, std::floor(now));
  else d.quick_valid = false;
  return out;
}

std::vector<TemplateInfo> DateDetector::Templates() const {
  std::vector<TemplateInfo> out;
  for (const Impl::Entry& e : impl_->entries)
    out.push_back(TemplateInfo{e.tpl->name(), e.tpl->regex(), e.hits, e.weight, e.tpl->pattern()});
  return out;
}

std::string DateDetector::Description() const { return impl_->description; }

std::string DateDetector::ContinuationKey() const {
  const Impl& d = *impl_;
  if (d.last_index >= d.entries.size()) return "none " + std::to_string(d.entries.size());
  return d.entries[d.last_index].tpl->name() + "\n" + std::to_string(d.last_index) + " " +
         std::to_string(d.entries.size()) + " " + std::to_string(d.last_begin) + " " +
         std::to_string(d.last_distance) + " " + std::to_string(d.last_before) + " " + std::to_string(d.last_first) +
         " " + std::to_string(d.last_end) + " " + std::to_string(d.last_final) + " " + std::to_string(d.last_after);
}

unsigned long DateDetector::full_search_wins() const { return impl_->full_search_wins; }

}  // namespace portcullis::date
