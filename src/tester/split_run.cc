// A large log file read on several threads at once, with the same report as reading it
// line by line.
//
// What a line's outcome depends on besides its own text is the filter's state: the date
// detector (which template won last, and where), the last date a dateless line may
// borrow, the tester's "did the prefregex match last" flag, and the mlfid cache. The
// file is cut into chunks of ~4 MiB (eight per thread at least). The calling thread
// reads them in order from the first, with the state a single pass has; the other
// threads take chunks from the last one backwards, until the two ends meet, so a thread
// the machine runs slower simply reads fewer chunks. A helper reads ~64 KiB before its
// chunk uncounted to warm its state up, then the chunk with its counts (and its mlfid
// cache uses) kept apart.
//
// Then, from where the calling thread stopped, each helper chunk's state after warming
// up is compared with the state the chunk before it ended in (Filter::ContinuationKey,
// and for an mlfid cache filter::MlfidCacheAfter over the chunk's logged uses). Equal
// states, and no full search of the date templates inside the chunk (the only thing
// that reads or changes the template order and hit counts), mean the chunk's lines were
// treated exactly as a single pass would have treated them; its counts are added in
// file order. Otherwise the rest of the file is read again by the calling thread, whose
// state is a single pass's. maxlines > 1 and the per-line outputs (-o, -v, -D) are
// always read in one pass.

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "portcullis/date/date_detector.h"
#include "tester/tester_impl.h"

namespace portcullis::tester {
namespace {

constexpr uint64_t kWarmUpBytes = 64 * 1024;
constexpr unsigned kChunksPerThread = 8;  // at least
// Chunks of about this size: the threads finish within half a chunk's time of each
// other (~10 ms), and a helper's 64 KiB warm-up costs under 2% of its chunk.
constexpr uint64_t kChunkBytes = 4 << 20;
constexpr double kMaxRunSeconds = 240;  // below the mlfid cache's five minutes
// A chunk's log of mlfid cache uses takes ~35 bytes a use with the connections' names
// (~200,000 uses per million sshd lines), and every helper chunk's log is kept until
// the end: beyond this many uses in one chunk it gives up (and one pass reads the rest),
// beyond the second bound in all of them the helpers take no more chunks (and the
// calling thread reads what is left), so a log of any size is read in bounded memory.
constexpr size_t kMaxMlfidEvents = 1000000;
constexpr size_t kMaxLoggedEvents = 4000000;

// Appends `from`'s listed lines to `to`'s as a single pass would have listed them:
// all of them, or only while the running count stays within `limit`.
void AppendListed(std::vector<std::string>& to, long to_count, std::vector<std::string>& from, bool all, long limit) {
  for (size_t i = 0; i < from.size(); ++i) {
    if (!all && to_count + static_cast<long>(i) + 1 > limit) break;
    to.push_back(std::move(from[i]));
  }
}

// Chunks handed out from both ends: the calling thread's from the front, the helpers'
// from the back.
class ChunkQueue {
 public:
  ChunkQueue(size_t first, size_t end) : front_(first), back_(end) {}
  std::optional<size_t> TakeFront() {
    std::lock_guard<std::mutex> lock(mu_);
    if (front_ >= back_) return std::nullopt;
    return front_++;
  }
  std::optional<size_t> TakeBack() {
    std::lock_guard<std::mutex> lock(mu_);
    if (front_ >= back_) return std::nullopt;
    return --back_;
  }
  // The first chunk a helper took (all are, from there on).
  size_t front() const { return front_; }

 private:
  std::mutex mu_;
  size_t front_, back_;
};

}  // namespace

// A chunk read by a helper: where it is, the state it began and ended in, its counts.
struct RegexTester::Impl::Segment {
  uint64_t warm = 0, begin = 0, end = 0;
  bool read = false;  // read to its end
  std::string key_at_begin, key_at_end;  // StateKey after warming up, and at the end
  unsigned long full_searches_at_begin = 0, full_searches_at_end = 0;
  std::map<std::string, long> template_hits;  // hits within the chunk
  std::vector<unsigned long> failregex_hits, ignoreregex_hits;
  long pref_count = 0;
  LineStats stats;
  filter::MlfidLog mlfid_log;            // mlfid filters: the chunk's cache uses
  filter::MlfidSnapshot mlfid_at_end;    // and the helper's cache after them
};

bool RegexTester::Impl::CanSplit(uint64_t size) const {
  return size >= opts.split_min_bytes && config.maxlines == 1 && !opts.out && !opts.verbose && !opts.debuggex &&
         filter->date_detector() != nullptr;
}

std::string RegexTester::Impl::StateKey() const {
  return filter->ContinuationKey() + (pref_matched ? " pref" : " nopref");
}

std::map<std::string, long> RegexTester::Impl::TemplateHits() const {
  std::map<std::string, long> hits;
  for (const date::TemplateInfo& t : filter->date_detector()->Templates()) hits[t.name] += static_cast<long>(t.hits);
  return hits;
}

std::unique_ptr<RegexTester::Impl> RegexTester::Impl::NewWorker() const {
  auto w = std::make_unique<Impl>(opts, clock, resolver, fs);
  w->config = config;
  w->compiled = compiled;
  w->report_maxlines = report_maxlines;
  w->failregex_stats = failregex_stats;
  w->ignoreregex_stats = ignoreregex_stats;
  return w;
}

bool RegexTester::Impl::StartFilter() {
  auto filter_or = filter::Filter::Create(compiled, clock, resolver);
  if (!filter_or) return false;  // cannot happen: the main filter was made alike
  filter.emplace(std::move(*filter_or));
  filter->set_observer(this);
  filter->set_failure_data(NeedsFailureData());
  return true;
}

void RegexTester::Impl::ResetCounts() {
  for (RegexStat& s : failregex_stats) s.hits = 0;
  for (RegexStat& s : ignoreregex_stats) s.hits = 0;
  pref_count = 0;
  stats = LineStats{};
}

bool RegexTester::Impl::ReadLines(const std::string& path, Encoding encoding, uint64_t begin, uint64_t end,
                                  const filter::MlfidLog* mlfid_log) {
  auto reader = LogReader::OpenRange(path, encoding, begin, end);
  if (!reader) return false;
  std::string_view line;
  while (reader->Next(line)) {
    TestLine(line);
    if (mlfid_log && mlfid_log->events.size() > kMaxMlfidEvents) return false;
  }
  return true;
}

// A helper (this worker) reads chunk `s`: warms up uncounted, then reads it with its
// counts and cache uses kept in `s`.
void RegexTester::Impl::ReadSegment(const std::string& path, Encoding encoding, Segment& s, bool mlfid) {
  // A cache left from a later chunk would answer the warm-up's lookups as no single
  // pass does: the chunk starts from an empty one, as the first helper's did.
  if (mlfid) filter->ClearMlfidCache();
  if (!ReadLines(path, encoding, s.warm, s.begin)) return;
  s.key_at_begin = StateKey();
  s.full_searches_at_begin = filter->date_detector()->full_search_wins();
  const std::map<std::string, long> hits_at_begin = TemplateHits();
  ResetCounts();
  if (mlfid) filter->LogMlfidCache(&s.mlfid_log);
  s.read = ReadLines(path, encoding, s.begin, s.end, &s.mlfid_log);
  filter->LogMlfidCache(nullptr);
  s.key_at_end = StateKey();
  s.full_searches_at_end = filter->date_detector()->full_search_wins();
  for (const auto& [name, hits] : TemplateHits()) {
    auto before = hits_at_begin.find(name);
    s.template_hits[name] = hits - (before == hits_at_begin.end() ? 0 : before->second);
  }
  for (const RegexStat& r : failregex_stats) s.failregex_hits.push_back(r.hits);
  for (const RegexStat& r : ignoreregex_stats) s.ignoreregex_hits.push_back(r.hits);
  s.pref_count = pref_count;
  s.stats = std::move(stats);
  if (mlfid) s.mlfid_at_end = filter->MlfidCacheSnapshot();
}

// Adds a helper's counts (its chunk only) to this run's.
void RegexTester::Impl::Absorb(Segment& s) {
  for (size_t i = 0; i < failregex_stats.size(); ++i) failregex_stats[i].hits += s.failregex_hits[i];
  for (size_t i = 0; i < ignoreregex_stats.size(); ++i) ignoreregex_stats[i].hits += s.ignoreregex_hits[i];
  pref_count += s.pref_count;
  const long limit = report_maxlines + 1;
  AppendListed(stats.ignored_lines, stats.ignored, s.stats.ignored_lines, opts.print_all_ignored, limit);
  AppendListed(stats.missed_lines, stats.missed, s.stats.missed_lines, opts.print_all_missed, limit);
  AppendListed(stats.matched_lines, stats.matched, s.stats.matched_lines, true, limit);
  stats.tested += s.stats.tested;
  stats.matched += s.stats.matched;
  stats.missed += s.stats.missed;
  stats.ignored += s.stats.ignored;
  for (const auto& [name, hits] : s.template_hits) extra_template_hits[name] += hits;
}

bool RegexTester::Impl::RunSplit(const std::string& path, Encoding encoding, uint64_t size) {
  const double started = clock.Now();
  unsigned n = opts.threads ? opts.threads : std::max(1u, std::thread::hardware_concurrency());
  // Chunks of 64 KiB at least (less only when asked to split smaller files: tests).
  const uint64_t smallest = std::max<uint64_t>(1, std::min<uint64_t>(opts.split_min_bytes, 1 << 16));
  const uint64_t most = std::max<uint64_t>(1, size / smallest);
  n = static_cast<unsigned>(std::min<uint64_t>(n, most));
  if (n == 1) return ReadLines(path, encoding, 0, size);
  const uint64_t wanted = std::max<uint64_t>(uint64_t{n} * kChunksPerThread, size / kChunkBytes);
  const auto chunks = static_cast<unsigned>(std::min<uint64_t>(wanted, most));
  std::vector<uint64_t> bounds{0};
  for (unsigned k = 1; k < chunks; ++k) {
    const uint64_t at = LogReader::NextLineStart(path, size / chunks * k);
    if (at > bounds.back() && at < size) bounds.push_back(at);
  }
  bounds.push_back(size);
  const size_t count = bounds.size() - 1;
  std::vector<Segment> segments(count);  // a helper's chunk k in segments[k]
  const bool mlfid = compiled->uses_mlfid();
  ChunkQueue queue(1, count);
  std::atomic<size_t> logged{0};  // mlfid cache uses in the helpers' chunks so far
  // The helpers' settings, copied here from this run's state before it changes. Each
  // helper copies them again on its thread, and reads each chunk into a Segment of its
  // own, moved into `segments` when done: everything a helper writes line by line is
  // then memory its own thread allocated. Objects allocated here lie next to this
  // thread's, and writing them from two cores made both threads 6-8% slower a byte
  // (false sharing of their cache lines).
  const std::unique_ptr<const Impl> seed = NewWorker();
  std::vector<std::thread> threads;
  for (unsigned t = 1; t < n; ++t) {
    threads.emplace_back([&] {
      try {
        const std::unique_ptr<Impl> w = seed->NewWorker();
        if (!w->StartFilter()) return;  // its filter (a date detector: a millisecond or two)
        while (logged.load(std::memory_order_relaxed) < kMaxLoggedEvents) {
          const std::optional<size_t> k = queue.TakeBack();
          if (!k) break;
          Segment s;
          s.begin = bounds[*k];
          s.end = bounds[*k + 1];
          const uint64_t warm = LogReader::NextLineStart(path, s.begin > kWarmUpBytes ? s.begin - kWarmUpBytes : 0);
          s.warm = std::max(bounds[*k - 1], warm);
          w->ReadSegment(path, encoding, s, mlfid);
          logged.fetch_add(s.mlfid_log.events.size(), std::memory_order_relaxed);
          segments[*k] = std::move(s);
        }
      } catch (...) {  // out of memory: the chunks not read are read again in one pass
      }
    });
  }
  bool ok = ReadLines(path, encoding, 0, bounds[1]);
  while (ok && !opts.split_first_chunk_only) {
    const std::optional<size_t> k = queue.TakeFront();
    if (!k) break;
    ok = ReadLines(path, encoding, bounds[*k], bounds[*k + 1]);
  }
  for (std::thread& t : threads) t.join();
  if (!ok) return false;
  // This thread read every chunk before `first` with a single pass's state.
  const size_t first = queue.front();
  // A cached mlfid connection expires five minutes after it was stored, by the clock;
  // the check below leaves expiry out, so it holds for a shorter run only.
  const bool expiry_safe = !mlfid || clock.Now() - started < kMaxRunSeconds;
  std::string key = StateKey();
  filter::MlfidSnapshot cache;
  if (mlfid) cache = filter->MlfidCacheSnapshot();
  for (size_t k = first; k < count; ++k) {
    Segment& s = segments[k];
    bool exact = expiry_safe && s.read && s.key_at_begin == key && s.full_searches_at_end == s.full_searches_at_begin;
    if (exact && mlfid) {
      std::optional<filter::MlfidSnapshot> after = filter::MlfidCacheAfter(cache, s.mlfid_log, s.mlfid_at_end);
      exact = after.has_value();
      if (exact) cache = std::move(*after);
    }
    if (!exact) {
      segments_used = 1;
      return ReadLines(path, encoding, bounds[first], size);
    }
    key = s.key_at_end;
  }
  for (size_t k = first; k < count; ++k) Absorb(segments[k]);
  segments_used = 1 + (count - first);
  return true;
}

}  // namespace portcullis::tester
