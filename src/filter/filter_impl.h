#pragma once
// Private: one stream's filter state and the pieces of fail2ban's findFailure.

#include <deque>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "compiled_filter_impl.h"
#include "portcullis/date/date_detector.h"
#include "portcullis/regex/regex.h"

namespace portcullis::filter {

// Lines a regex hit spans, and the rest of the buffer (fail2ban's matched and
// unmatched tuple lines).
// A line split around its date, as views into the text it came in (and the last date's
// text): what FindFailure reads; copied into LineParts only where kept.
struct PartsView {
  std::string_view prefix, date, suffix;
  LineParts Copy() const { return LineParts{std::string(prefix), std::string(date), std::string(suffix)}; }
};

struct LineSplit {
  Lines matched;
  Lines unmatched;
};

// Appends "\n".join(prefix + suffix of each line) + "\n" to `buf` (after clearing it).
void BuildBuffer(std::span<const LineParts> lines, std::string& buf);

// Splits `org` around the hit in `m` (a search over `buf`), as fail2ban's
// Regex.search does, moving <SKIPLINES> lines to the unmatched side.
void SplitLines(const CompiledRegex& re, const regex::Match& m, std::string_view buf,
                const Lines& org, LineSplit& out);

// The named groups of a hit in definition order, alt_/tuple_ groups folded in.
FailData GroupsOf(const CompiledRegex& re, const regex::Match& m);

// A failregex hit's data as fail2ban's findFailure has it: the prefregex's groups (its
// content left out), then the failregex's over them (a dict update). When the hit
// has an mlfid, `forget` is set to whether mlfforget was truthy and that key is left
// out (MergeFailure would pop it first thing); nullopt: left in as it was.
// Written over `fail` (its entries' storage reused). `counted`: a count-only hit's data,
// the groups of CompiledRegex::counted_groups only.
void HitData(const CompiledRegex* pref, const regex::Match& pref_match, const CompiledRegex& re,
             const regex::Match& m, std::optional<bool>& forget, FailData& fail, bool counted = false);

// fail2ban's mlfid cache: up to 100 connection ids, five minutes each.
class MlfidCache {
 public:
  static constexpr size_t kMaxCount = 100;

  explicit MlfidCache(const Clock& clock) : clock_(clock) {}
  FailData* Get(const std::string& mlfid);
  // Stores `data`; returns where it is kept.
  FailData* Set(const std::string& mlfid, FailData data);
  void Unset(const std::string& mlfid);
  // Forgets every connection (not logged).
  void Clear() {
    order_.clear();
    entries_.clear();
  }
  MlfidSnapshot Snapshot() const;
  // Records every Get/Set/Unset from now on (nullptr: stop); a Get's data only the
  // first time the log meets that connection.
  void set_log(MlfidLog* log) { log_ = log; }
  // Records a Get that found `found` (nullptr: nothing live) in the log, if any.
  void LogGet(std::string_view mlfid, const FailData* found);

 private:
  static constexpr double kMaxTime = 300;
  struct Entry {
    FailData data;
    double expires;
    uint64_t stored;  // its number in order_
  };
  // Insertion order (FIFO eviction): each store numbered; a connection forgotten since
  // (or stored again under a later number) leaves its record behind, skipped when met
  // and swept out when they outnumber the live ones (no search on every Unset).
  void Sweep();
  const Clock& clock_;
  std::deque<std::pair<std::string, uint64_t>> order_;
  uint64_t stores_ = 0;
  std::unordered_map<std::string, Entry> entries_;
  MlfidLog* log_ = nullptr;
};

// Merges a hit carrying mlfid with the cached state of that id (fail2ban's
// _mergeFailure). Returns the live merged data: the cache entry, or `fail` itself
// when the connection is forgotten. Later changes to it persist in the cache.
// `keep_matches` false: the matched lines (matches, nofail-matches) are not kept.
// `forget`: mlfforget's truthiness when HitData took it out already.
FailData* MergeFailure(MlfidCache& cache, const std::string& mlfid, FailData& fail,
                      const Lines& matched, bool keep_matches = true, std::optional<bool> forget = std::nullopt);

struct Filter::Impl {
  Impl(std::shared_ptr<const CompiledFilter> compiled_filter, const Clock& clock_ref, Resolver* r)
      : compiled(std::move(compiled_filter)), c(compiled->impl()), clock(clock_ref), resolver(r),
        mlfid_cache(clock_ref) {}

  void ProcessDated(std::string_view line);
  void FindFailure(const PartsView& tuple, std::optional<double> date, bool no_date);
  int IgnoreLine(std::string_view buf, const Lines* matched);
  void UseLines(Lines lines);
  void UseContent(std::string_view content);
  // Builds buf from the current lines; the failregexes search it.
  void BuildText();
  const Lines& CurrentLines();
  // `org`, copied from the line only when something reads it (most lines of one line
  // never get past the prefregex).
  const Lines& Org() {
    if (org_pending) {
      org.resize(1);
      org[0] = org_pending->Copy();
      org_pending = nullptr;
    }
    return org;
  }
  void AddFailures(int index, FailData& fail, std::optional<double> date);
  std::vector<IpAddr> TextToIp(std::string_view text) const;

  std::shared_ptr<const CompiledFilter> compiled;
  const CompiledFilter::Impl& c;
  const Clock& clock;
  Resolver* resolver;
  std::optional<date::DateDetector> detector;
  FilterObserver* observer = nullptr;
  bool in_operation = true;
  double find_time = 600;
  bool full_failure_data = true;  // see Filter::set_failure_data

  std::string last_time_text;
  std::optional<double> last_date;
  bool last_date_is_integer = false;
  bool date_is_integer = false;  // of the line being processed

  PartsView current;         // the line being processed (views into it, or last_time_text)
  LineParts current_copy;    // current_line()'s answer
  Lines org;                 // the buffer as it was when the line came in
  const PartsView* org_pending = nullptr;  // org's one line, not copied yet (within FindFailure only)
  Lines kept;                // maxlines > 1: the buffer carried to the next line
  // The buffer after a hit consumed lines or the prefregex gave content; storage kept
  // across lines, `use_replaced` says whether it stands for this line.
  Lines replaced;
  bool use_replaced = false;
  // UseContent's content (a view into pref_buf), not yet copied into `replaced`.
  std::string_view pending_content;
  bool content_pending = false;
  std::string pref_buf;      // the text the prefregex matched (its groups point into it)
  regex::Match pref_match;
  std::string buf;
  // What the failregexes search: buf, or the content and its newline in pref_buf;
  // buf_valid says whether it stands for this line's buffer.
  std::string_view search_text;
  bool buf_valid = false;
  regex::Match match;
  regex::Match ignore_match;
  LineSplit split;
  std::vector<Failure> results;
  MlfidCache mlfid_cache;
  std::string mlfid_key;  // the hit's mlfid while it is merged
  FailData hit_data;      // a hit's data (HitData), its entries' storage kept from hit to hit
};

}  // namespace portcullis::filter
