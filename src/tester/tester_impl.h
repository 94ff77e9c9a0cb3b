#pragma once
// Private: the state of one fail2ban-regex run.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "portcullis/filter/filter.h"
#include "portcullis/tester/log_reader.h"
#include "portcullis/tester/out_format.h"
#include "portcullis/tester/regex_tester.h"

namespace portcullis::tester {

// Hits of one failregex or ignoreregex (fail2ban-regex's RegexStat).
struct RegexStat {
  std::string regex;  // as written (tags unexpanded)
  unsigned long hits = 0;
  struct Hit {
    std::string id;
    std::optional<double> time;
    bool multiple = false;  // "(multiple regex matched)"
  };
  std::vector<Hit> hit_list;  // -v only
};

// fail2ban-regex's LineStats.
struct LineStats {
  long tested = 0, matched = 0, missed = 0, ignored = 0;
  std::vector<std::string> matched_lines, missed_lines, ignored_lines;
  // -D/--debuggex: the lines as listed with their debuggex links.
  std::vector<std::string> matched_debuggex, missed_debuggex, ignored_debuggex;
};

enum class RegexType { kFail, kIgnore };

struct RegexTester::Impl final : filter::FilterObserver {
  Impl(Options o, const Clock& c, filter::Resolver* r, FileSystemView f)
      : opts(std::move(o)), clock(c), resolver(r), fs(std::move(f)) {}

  int Run(const std::vector<std::string>& args);
  bool Setup();
  bool SetMaxLines(int value);
  bool SetDatePattern(const std::string& pattern);
  static std::string TimeZoneError(const std::string& tz, const std::string& message);
  bool ReadRegex(const std::string& value, RegexType type);
  bool ReadFilterFile(const RegexArgument& arg);
  bool CompileFilter();
  bool RunLog(const std::string& value);
  void TestLine(std::string_view line);
  // A large file read as segments on several threads (split_run.cc).
  struct Segment;
  // Whether anything printed reads a failure's data (-o, -v): else the filter keeps
  // only whether it is a nofail (Filter::set_failure_data).
  bool NeedsFailureData() const { return opts.out.has_value() || opts.verbose > 0; }
  bool CanSplit(uint64_t size) const;
  bool RunSplit(const std::string& path, Encoding encoding, uint64_t size);
  // False when the file cannot be read, or when `mlfid_log` (a segment's mlfid cache
  // uses) grows past its bound.
  bool ReadLines(const std::string& path, Encoding encoding, uint64_t begin, uint64_t end,
                 const filter::MlfidLog* mlfid_log = nullptr);
  // A helper for a split run: this run's settings and regex list (no filter yet; the
  // helper's thread makes it with StartFilter).
  std::unique_ptr<Impl> NewWorker() const;
  bool StartFilter();
  // A helper reads a chunk of the file into `segment` (split_run.cc).
  void ReadSegment(const std::string& path, Encoding encoding, Segment& segment, bool mlfid);
  std::string StateKey() const;
  std::map<std::string, long> TemplateHits() const;
  void ResetCounts();
  void Absorb(Segment& segment);
  void MoveConsumedLines(const filter::Lines& before, std::vector<std::string>& debuggex_lines);
  void CountLine(std::string_view line, std::string_view debuggex_line, bool matched, bool ignored);
  std::string DebuggexUrl(std::string_view line, const std::string& regex) const;
  void PrintStats();
  void PrintRegexStats(const std::string& title, const std::vector<RegexStat>& stats);
  void PrintDateTemplates();
  void PrintLines(const std::string& kind, long count, const std::vector<std::string>& lines, bool print_all,
                  const std::vector<std::string>& debuggex_lines, const std::vector<RegexStat>& regexes);

  // Report lines: suppressed with -o. Emit: always (errors).
  void Print(std::string_view line) {
    if (!opts.out) Emit(line);
  }
  void Emit(std::string_view line);
  void Error(std::string_view message);
  void Flush();

  void OnIgnoreRegexMatch(int index) override;
  void OnPrefRegexResult(const filter::FailData* groups) override;
  // Only -v prints the prefregex groups.
  bool WantsPrefRegexGroups() const override { return opts.verbose > 0; }

  Options opts;
  const Clock& clock;
  filter::Resolver* resolver;
  FileSystemView fs;
  OutFormat::HostLookup host_lookup;
  std::ostream* out = nullptr;
  std::ostream* err = nullptr;
  std::string buffer;

  int report_maxlines = 20;  // -L, else 20: how many listed lines are "too many"
  bool maxlines_set = false;
  bool datepattern_set = false;
  std::string backend = "auto";
  filter::FilterConfig config;
  std::shared_ptr<const filter::CompiledFilter> compiled;
  std::optional<filter::Filter> filter;
  std::optional<OutFormat> out_format;
  std::vector<RegexStat> failregex_stats, ignoreregex_stats;

  // prefregex: fail2ban asks the regex whether its last search matched, which is stale
  // for a line dropped before the prefregex ran; so is this.
  bool pref_matched = false;
  std::optional<filter::FailData> pref_groups;  // -v only
  long pref_count = 0;
  std::vector<std::string> pref_group_lines;

  bool line_ignored = false;
  std::vector<const filter::Failure*> ret;
  filter::Lines buffer_before;
  LineStats stats;
  double elapsed = 0;
  size_t segments_used = 1;  // a split run: how many chunks' counts came from other threads, + 1
  // Date template hits counted by segments read on other threads, by template name.
  std::map<std::string, long> extra_template_hits;
};

}  // namespace portcullis::tester
