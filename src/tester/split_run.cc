// A large log file read as several segments at once, one thread each, with the same
// report as reading it line by line.
//
// What a line's outcome depends on besides its own text is the filter's state: the date
// detector (which template won last, and where), the last date a dateless line may
// borrow, and the tester's "did the prefregex match last" flag. Each segment after the
// first starts ~64 KiB early and reads those lines uncounted to warm that state up;
// then its state is compared with the state the segment before it ended in
// (Filter::ContinuationKey). Equal keys, and no full search of the date templates inside
// the segment (the only thing that reads or changes the template order and hit
// counts), mean the segment's lines were treated exactly as a single pass would have
// treated them; its counts are added. Otherwise the rest of the file is read again, in
// order, after segment 0. A filter with an mlfid cache gets two segments at most, the
// second's cache uses replayed on the first's cache (filter::MlfidEventsFollow);
// maxlines > 1 and the per-line outputs (-o, -v, -D) are always read in one pass.

#include <algorithm>
#include <map>
#include <thread>

#include "portcullis/date/date_detector.h"
#include "tester/tester_impl.h"

namespace portcullis::tester {
namespace {

constexpr uint64_t kWarmUpBytes = 64 * 1024;
constexpr double kMaxRunSeconds = 240;  // below the mlfid cache's five minutes
// A segment's log of mlfid cache uses takes 8 bytes a use (~200,000 uses per million
// sshd lines); beyond this many the segment gives up and one pass reads the rest.
constexpr size_t kMaxMlfidEvents = 1000000;

// Appends `from`'s listed lines to `to`'s as a single pass would have listed them:
// all of them, or only while the running count stays within `limit`.
void AppendListed(std::vector<std::string>& to, long to_count, std::vector<std::string>& from, bool all, long limit) {
  for (size_t i = 0; i < from.size(); ++i) {
    if (!all && to_count + static_cast<long>(i) + 1 > limit) break;
    to.push_back(std::move(from[i]));
  }
}

}  // namespace

struct RegexTester::Impl::Segment {
  std::unique_ptr<Impl> impl;
  uint64_t warm = 0, begin = 0, end = 0;
  std::string key_at_begin;  // ContinuationKey (and the prefregex flag) after warming up
  unsigned long full_searches_at_begin = 0;
  std::map<std::string, long> template_hits_at_begin;
  filter::MlfidLog mlfid_log;  // mlfid filters: the segment's cache uses
  bool read = false;  // the reader opened and the segment was read
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
  auto filter_or = filter::Filter::Create(compiled, clock, resolver);
  if (!filter_or) return nullptr;  // cannot happen: the main filter was made alike
  w->filter.emplace(std::move(*filter_or));
  w->filter->set_observer(w.get());
  w->filter->set_failure_data(NeedsFailureData());
  return w;
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

// Adds a worker's counts (its segment only) to this run's.
void RegexTester::Impl::Absorb(Segment& s) {
  Impl& w = *s.impl;
  for (size_t i = 0; i < failregex_stats.size(); ++i) failregex_stats[i].hits += w.failregex_stats[i].hits;
  for (size_t i = 0; i < ignoreregex_stats.size(); ++i) ignoreregex_stats[i].hits += w.ignoreregex_stats[i].hits;
  pref_count += w.pref_count;
  const long limit = report_maxlines + 1;
  AppendListed(stats.ignored_lines, stats.ignored, w.stats.ignored_lines, opts.print_all_ignored, limit);
  AppendListed(stats.missed_lines, stats.missed, w.stats.missed_lines, opts.print_all_missed, limit);
  AppendListed(stats.matched_lines, stats.matched, w.stats.matched_lines, true, limit);
  stats.tested += w.stats.tested;
  stats.matched += w.stats.matched;
  stats.missed += w.stats.missed;
  stats.ignored += w.stats.ignored;
  for (const auto& [name, hits] : w.TemplateHits()) {
    auto before = s.template_hits_at_begin.find(name);
    extra_template_hits[name] += hits - (before == s.template_hits_at_begin.end() ? 0 : before->second);
  }
}

bool RegexTester::Impl::RunSplit(const std::string& path, Encoding encoding, uint64_t size) {
  const double started = clock.Now();
  unsigned n = opts.threads ? opts.threads : std::max(1u, std::thread::hardware_concurrency());
  // Segments of 64 KiB at least (less only when asked to split smaller files: tests).
  const uint64_t smallest = std::max<uint64_t>(1, std::min<uint64_t>(opts.split_min_bytes, 1 << 16));
  n = static_cast<unsigned>(std::min<uint64_t>(n, std::max<uint64_t>(1, size / smallest)));
  // With an mlfid cache, the second segment is checked against the first's real cache;
  // a third would need the second's as a single pass would have left it.
  const bool mlfid = compiled->uses_mlfid();
  if (mlfid) n = std::min(n, 2u);
  std::vector<uint64_t> bounds{0};
  for (unsigned k = 1; k < n; ++k) {
    // With an mlfid cache the second segment also logs its cache uses: a smaller share
    // (46%: the log costs it ~15% more a line).
    const uint64_t at = LogReader::NextLineStart(path, mlfid ? size / 100 * 54 : size / n * k);
    if (at > bounds.back() && at < size) bounds.push_back(at);
  }
  bounds.push_back(size);
  std::vector<Segment> segments(bounds.size() - 1);
  for (size_t k = 1; k < segments.size(); ++k) {
    Segment& s = segments[k];
    s.begin = bounds[k];
    s.end = bounds[k + 1];
    s.warm = std::max(bounds[k - 1], LogReader::NextLineStart(path, s.begin > kWarmUpBytes ? s.begin - kWarmUpBytes : 0));
    s.impl = NewWorker();
  }
  std::vector<std::thread> threads;
  for (size_t k = 1; k < segments.size(); ++k) {
    threads.emplace_back([&, k] {
      Segment& s = segments[k];
      try {
        if (!s.impl || !s.impl->ReadLines(path, encoding, s.warm, s.begin)) return;
        s.key_at_begin = s.impl->StateKey();
        s.full_searches_at_begin = s.impl->filter->date_detector()->full_search_wins();
        s.template_hits_at_begin = s.impl->TemplateHits();
        s.impl->ResetCounts();
        if (mlfid) s.impl->filter->LogMlfidCache(&s.mlfid_log);
        s.read = s.impl->ReadLines(path, encoding, s.begin, s.end, &s.mlfid_log);
        s.impl->filter->LogMlfidCache(nullptr);
      } catch (...) {  // out of memory: the segment is read again in the single pass
        s.read = false;
      }
    });
  }
  const bool first = ReadLines(path, encoding, 0, bounds[1]);
  for (std::thread& t : threads) t.join();
  if (!first) return false;
  // A cached mlfid connection expires five minutes after it was stored, by the clock;
  // the check below leaves expiry out, so it holds for a shorter run only.
  const bool expiry_safe = !mlfid || clock.Now() - started < kMaxRunSeconds;
  // Every segment must have started where the one before it ended; then their counts
  // add up to a single pass's. If one did not, the rest is read again after segment 0,
  // whose state is the only one known to be a single pass's.
  for (size_t k = 1; k < segments.size(); ++k) {
    Segment& s = segments[k];
    const Impl& before = k == 1 ? *this : *segments[k - 1].impl;
    const bool exact = expiry_safe && s.read && s.key_at_begin == before.StateKey() &&
                       s.impl->filter->date_detector()->full_search_wins() == s.full_searches_at_begin &&
                       (!mlfid || filter::MlfidEventsFollow(before.filter->MlfidCacheSnapshot(), s.mlfid_log));
    if (!exact) {
      segments_used = 1;
      return ReadLines(path, encoding, bounds[1], size);
    }
  }
  for (size_t k = 1; k < segments.size(); ++k) Absorb(segments[k]);
  segments_used = segments.size();
  return true;
}

}  // namespace portcullis::tester
