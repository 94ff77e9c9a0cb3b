#pragma once
// The filter: a log line goes in, failures come out.
//
// A filter is built from plain values (FilterConfig: prefregex, failregex,
// ignoreregex, maxlines, datepattern, usedns …; the config module reads them from a
// filter.d file, the regex tester from its command line) and runs fail2ban's per-line
// pipeline:
//
//   1. find the date (DateDetector) and cut it out of the line;
//   2. keep the last `maxlines` lines as the buffer regexes search;
//   3. drop the line early when an ignoreregex matches and there are few of them;
//   4. prefregex must match; its <F-CONTENT> becomes what failregexes see;
//   5. each failregex in turn; a hit is checked against ignoreregex, merged with the
//      multi-line state of its <F-MLFID> (NOFAIL / MLFGAINED / MLFFORGET), and turned
//      into failures keyed by failure id (F-ID, ALT_ and TUPLE_ groups) or address.
//
//   auto compiled = CompiledFilter::Compile(config);      // once
//   Filter filter(*compiled, clock);                      // one per log stream
//   for (auto& f : filter.ProcessLine("Aug 14 11:59:59 host sshd[1]: Failed …"))
//     use(f.id, f.time, f.data);
//
// CompiledFilter is immutable and may be shared by threads; Filter holds one stream's
// state (date detector hits, line buffer, mlfid cache) and does no I/O: DNS names
// are resolved through the Resolver it is given, if any.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portcullis/base/clock.h"
#include "portcullis/base/error.h"
#include "portcullis/base/ip_addr.h"
#include "portcullis/filter/failure.h"

namespace portcullis::date {
class DateDetector;
}

namespace portcullis::filter {

enum class UseDns { kYes, kWarn, kNo, kRaw };

// fail2ban's usedns values: yes, warn, no, raw (any case). Error for anything else.
Result<UseDns> ParseUseDns(std::string_view text);

// A regex as written, with where it was written (for error messages).
struct RegexSource {
  std::string text;
  std::string file;  // empty for a command-line regex
  int line = 0;
};

struct FilterConfig {
  std::optional<RegexSource> prefregex;
  std::vector<RegexSource> failregex;
  std::vector<RegexSource> ignoreregex;
  int maxlines = 1;
  // nullopt: the default date templates.
  std::optional<std::string> datepattern;
  // false: no date detection at all (journal input: the time comes with the line).
  bool detect_dates = true;
  std::optional<std::string> logtimezone;
  UseDns usedns = UseDns::kWarn;
  // fail2ban-regex -r / the sample suite: hosts are taken raw, never resolved.
  bool return_raw_host = false;
  // Try every failregex on a line instead of stopping at the first hit (fail2ban-regex
  // and the sample suite).
  bool check_all_regex = false;
  // Report nothing for a hit that only carries an mlfid (fail2ban-regex -o, daemon).
  bool ignore_pending = true;
  // Daemon behaviour: dates far from "now" are treated as "now" while in operation.
  bool check_find_time = false;
};

// Resolves DNS names for usedns = yes|warn. The daemon passes a real one; tests a fake.
class Resolver {
 public:
  virtual ~Resolver() = default;
  virtual std::vector<IpAddr> Resolve(std::string_view name) = 0;
};

class CompiledFilter;

// The mlfid cache's connections in order, each with its data as text.
using MlfidSnapshot = std::vector<std::pair<std::string, std::string>>;
// One use of the mlfid cache, as Filter::LogMlfidCache records it: 8 bytes, since a
// log holds one or two per hit (~200,000 per million sshd lines).
struct MlfidEvent {
  enum class Op : uint8_t { kGet, kSet, kUnset };
  Op op = Op::kGet;
  bool found = false;
  uint32_t id = 0;  // the connection, as MlfidLog::Intern numbers them
};
// The cache uses of a stretch of lines, connections interned.
class MlfidLog {
 public:
  std::vector<MlfidEvent> events;

  // The id of `mlfid`; `is_new` tells whether the log had not met it yet.
  uint32_t Intern(std::string_view mlfid, bool& is_new);
  // The id of `mlfid` if the log met it.
  std::optional<uint32_t> Find(std::string_view mlfid) const;
  // When the log's first use of connection `id` was a kGet that found it: its data as
  // text (nullptr otherwise).
  const std::string* FirstData(uint32_t id) const {
    return first_[id] ? &first_texts_[first_[id] - 1] : nullptr;
  }
  void SetFirstData(uint32_t id, std::string data) {
    first_texts_.push_back(std::move(data));
    first_[id] = static_cast<uint32_t>(first_texts_.size());
  }
  // How many connections it met (ids are 0 to size() - 1), and their names.
  size_t size() const { return spans_.size(); }
  std::string_view name(uint32_t id) const { return Name(id); }
  // Logs one use; `data`: the connection's data as text, kept if this is its first use.
  void Add(MlfidEvent::Op op, std::string_view mlfid, bool found = false, std::optional<std::string> data = {});

 private:
  // A second segment of an sshd log meets tens of thousands of connections, each
  // interned where it is used: names back to back in one string, found through an
  // open-addressed table (a node and a string allocated per name cost a third of
  // that segment's time).
  std::string_view Name(uint32_t id) const { return std::string_view(arena_).substr(spans_[id].first, spans_[id].second); }
  size_t Slot(std::string_view mlfid, uint64_t hash) const;
  void Grow();
  std::string arena_;
  std::vector<std::pair<uint32_t, uint32_t>> spans_;  // by id: offset and length in arena_
  std::vector<uint64_t> hashes_;                      // by id
  std::vector<uint32_t> table_;                       // id + 1; 0: empty
  std::vector<uint32_t> first_;                       // by id: index + 1 in first_texts_; 0: none
  std::vector<std::string> first_texts_;
  uint32_t last_ = 0;  // the id met last: a hit uses its connection several times in a row
};
// Whether a cache that held `before` would have answered every kGet of `log` as the
// logged cache did, applying the logged kSet/kUnset with fail2ban's eviction (the 100
// connections stored longest ago go first; expiry ignored: five minutes). If so, a
// filter whose other state matched read the logged lines exactly as one holding
// `before` would have.
bool MlfidEventsFollow(const MlfidSnapshot& before, const MlfidLog& log);
// With the logged cache's contents after the log (`logged_after`), the contents a cache
// that held `before` has after the same uses, in store order: the logged cache's data
// for the connections the log met, `before`'s for the rest. Nothing when the log does
// not follow `before`, or when the logged cache lost a connection this one keeps
// (evicted there, its store order being another). What a chain of logged segments
// checks each next one against.
std::optional<MlfidSnapshot> MlfidCacheAfter(const MlfidSnapshot& before, const MlfidLog& log,
                                             const MlfidSnapshot& logged_after);

// Observes per-line details fail2ban-regex reports (prefregex and ignoreregex hits).
class FilterObserver {
 public:
  virtual ~FilterObserver() = default;
  virtual void OnPrefRegexMatch() {}
  virtual void OnIgnoreRegexMatch(int index) {}
  // After every prefregex search: its named groups (content included) on a hit,
  // nullptr on a miss. Not called for a line dropped before the prefregex ran. The
  // groups are empty unless WantsPrefRegexGroups() (building them costs per line).
  virtual void OnPrefRegexResult(const FailData* groups) {}
  virtual bool WantsPrefRegexGroups() const { return true; }
};

// Compiled regexes of one filter: immutable, shareable.
class CompiledFilter {
 public:
  // Compiles every regex. Errors name the regex's file:line (when known) and say what
  // is wrong: "Unable to compile regular expression …", "No failure-id group in …",
  // "Cannot add empty regex", "maxlines must be integer greater than zero".
  static Result<std::shared_ptr<const CompiledFilter>> Compile(const FilterConfig& config);

  ~CompiledFilter();
  const FilterConfig& config() const;
  size_t failregex_count() const;
  // Whether some regex has an <F-MLFID> group (the filter keeps an mlfid cache).
  bool uses_mlfid() const;
  size_t ignoreregex_count() const;
  // The failregex as fail2ban lists it after tag expansion (getFailRegex()).
  const std::string& ExpandedFailRegex(size_t index) const;
  // The prefregex after tag expansion (fail2ban-regex's "Prefregex:" line); nullptr
  // when the filter has none.
  const std::string* ExpandedPrefRegex() const;

  struct Impl;
  const Impl& impl() const { return *impl_; }

 private:
  explicit CompiledFilter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

class Filter {
 public:
  // `compiled` and `clock` must outlive the filter. Fails only on a bad datepattern or
  // logtimezone.
  static Result<Filter> Create(std::shared_ptr<const CompiledFilter> compiled, const Clock& clock,
                               Resolver* resolver = nullptr);

  Filter(Filter&&) noexcept;
  Filter& operator=(Filter&&) noexcept;
  ~Filter();

  // Processes one line (without its line end). The returned failures are valid until
  // the next call. Failures with no id (pending, mlfid only) appear only when
  // check_all_regex is set; failures whose data has `nofail` likewise.
  const std::vector<Failure>& ProcessLine(std::string_view line);
  // Processes a line whose time is already known (journal entries): no date detection.
  const std::vector<Failure>& ProcessLine(const LineParts& line, double time);

  void set_observer(FilterObserver* observer);
  // Daemon: whether the stream has reached its end once (fail2ban's inOperation).
  void set_in_operation(bool in_operation);
  void set_find_time(double seconds);
  // false: a failure's data is left empty (Failure::nofail still tells whether it had
  // a nofail), and a hit certain to make one failure leaves its id out (nullopt): for a
  // caller that counts hits and reads nothing else (the regex tester's default report),
  // spared a copy of the data and an address parse per hit; with maxlines 1 the matched
  // lines are not kept at all. Default true.
  void set_failure_data(bool full);

  // The date detector's templates with hits, for reports; empty without one.
  const date::DateDetector* date_detector() const;
  // maxlines > 1: the buffered lines after the last ProcessLine (fail2ban's
  // __lineBuffer); lines a multi-line hit consumed are no longer in it.
  const Lines& line_buffer() const;
  // What the filter carries from one line to the next, as text: the date detector's
  // ContinuationKey and the last date a dateless line may borrow; not the mlfid cache
  // (see LogMlfidCache). Two filters of one CompiledFilter with maxlines = 1, equal keys
  // and caches that MlfidEventsFollow treat the lines that follow alike while their
  // detectors need no full search.
  std::string ContinuationKey() const;
  // The mlfid cache as it is now; and, from now on, every use of it recorded in `log`
  // (nullptr stops). With MlfidEventsFollow, what ContinuationKey leaves out.
  MlfidSnapshot MlfidCacheSnapshot() const;
  void LogMlfidCache(MlfidLog* log);
  // Empties the mlfid cache, as a new filter has it.
  void ClearMlfidCache();
  // The last line ProcessLine(text) took, split around its date (fail2ban's
  // processedLine() is its prefix + suffix).
  const LineParts& current_line() const;
  struct Impl;

 private:
  explicit Filter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace portcullis::filter
