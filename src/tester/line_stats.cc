// fail2ban-regex's testRegex/process/printStats: per-line bookkeeping and the report.

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "portcullis/date/date_detector.h"
#include "portcullis/regex/fail_regex.h"
#include "portcullis/tester/report.h"
#include "tester/tester_impl.h"

namespace portcullis::tester {
namespace {

// Python's str.rstrip() (ASCII white space and the separators \x1c-\x1f).
std::string_view RStrip(std::string_view s) {
  while (!s.empty()) {
    unsigned char c = static_cast<unsigned char>(s.back());
    if (c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f)) s.remove_suffix(1);
    else break;
  }
  return s;
}

std::string Capitalized(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

}  // namespace

void RegexTester::Impl::OnIgnoreRegexMatch(int index) {
  line_ignored = true;
  if (index >= 0 && static_cast<size_t>(index) < ignoreregex_stats.size()) ++ignoreregex_stats[index].hits;
}

void RegexTester::Impl::OnPrefRegexResult(const filter::FailData* groups) {
  pref_matched = groups != nullptr;
  if (groups && opts.verbose) pref_groups = *groups;
}

void RegexTester::Impl::TestLine(std::string_view line) {
  if (line.empty() || line.front() == '#') return;
  const bool multi = config.maxlines > 1;
  if (multi) buffer_before = filter->line_buffer();
  line_ignored = false;
  const std::vector<filter::Failure>& found = filter->ProcessLine(line);
  ret.clear();
  bool nofail = false;
  for (const filter::Failure& f : found) {
    if (!opts.out) {
      RegexStat& stat = failregex_stats.at(static_cast<size_t>(f.failregex));
      ++stat.hits;
      if (opts.verbose) stat.hit_list.push_back({IdStr(f), f.time, ret.size() > 1});
    }
    if (f.nofail) nofail = true;
    else ret.push_back(&f);
  }
  if (opts.out) {
    if (!ret.empty()) {
      out_format->Print(ret, clock.Now(), buffer);
      if (buffer.size() >= (1 << 16)) Flush();
    }
    return;
  }
  if (compiled->ExpandedPrefRegex() && pref_matched) {
    ++pref_count;
    if (opts.verbose) {
      if (pref_group_lines.size() < static_cast<size_t>(report_maxlines))
        pref_group_lines.push_back(pref_groups ? PyDictRepr(*pref_groups) : "{}");
      else if (pref_group_lines.size() == static_cast<size_t>(report_maxlines))
        pref_group_lines.push_back("...");
    }
  }
  std::vector<std::string> debuggex_lines;
  if (multi) MoveConsumedLines(buffer_before, debuggex_lines);
  std::string debuggex_line;
  if (!debuggex_lines.empty()) {
    const filter::LineParts& current = filter->current_line();
    debuggex_lines.push_back(current.prefix + current.suffix);
    for (size_t i = 0; i < debuggex_lines.size(); ++i) debuggex_line += (i ? "\n" : "") + debuggex_lines[i];
  } else if (opts.debuggex) {
    debuggex_line = line;
  }
  CountLine(line, debuggex_line, !ret.empty(), nofail || line_ignored);
}

// maxlines > 1: lines of the buffer that a multi-line hit consumed were counted as
// missed when they came in; they are matched now.
void RegexTester::Impl::MoveConsumedLines(const filter::Lines& before, std::vector<std::string>& debuggex_lines) {
  const bool full = before.size() >= static_cast<size_t>(config.maxlines);
  const filter::Lines& now = filter->line_buffer();
  for (size_t i = full ? 1 : 0; i < before.size(); ++i) {
    if (std::find(now.begin(), now.end(), before[i]) != now.end()) continue;
    std::string joined = JoinedLine(before[i]);
    auto it = std::find(stats.missed_lines.begin(), stats.missed_lines.end(), joined);
    if (it != stats.missed_lines.end()) {
      stats.missed_lines.erase(it);
      // fail2ban looks for the line without its date among the debuggex lines, which
      // hold it with the date: found only for a dateless line.
      std::string undated = before[i].prefix + before[i].suffix;
      auto dx = std::find(stats.missed_debuggex.begin(), stats.missed_debuggex.end(), undated);
      if (opts.debuggex && dx != stats.missed_debuggex.end()) stats.missed_debuggex.erase(dx);
    }
    if (opts.print_all_matched) {
      if (!opts.debuggex) stats.matched_lines.push_back(std::move(joined));
      else debuggex_lines.push_back(before[i].prefix + before[i].suffix);
    }
    ++stats.matched;
    --stats.missed;
  }
}

void RegexTester::Impl::CountLine(std::string_view line, std::string_view debuggex_line, bool matched,
                                  bool ignored) {
  const long limit = report_maxlines + 1;
  auto keep = [&](std::vector<std::string>& lines, std::vector<std::string>& debuggex_lines) {
    lines.emplace_back(line);
    if (opts.debuggex) debuggex_lines.emplace_back(debuggex_line);
  };
  if (ignored) {
    ++stats.ignored;
    if (!opts.print_no_ignored && (opts.print_all_ignored || stats.ignored <= limit))
      keep(stats.ignored_lines, stats.ignored_debuggex);
  } else if (matched) {
    ++stats.matched;
    if (opts.print_all_matched) keep(stats.matched_lines, stats.matched_debuggex);
  } else {
    ++stats.missed;
    if (!opts.print_no_missed && (opts.print_all_missed || stats.missed <= limit))
      keep(stats.missed_lines, stats.missed_debuggex);
  }
  ++stats.tested;
}

void RegexTester::Impl::PrintRegexStats(const std::string& title, const std::vector<RegexStat>& list) {
  unsigned long total = 0;
  std::vector<std::string> lines;
  for (size_t i = 0; i < list.size(); ++i) {
    const RegexStat& stat = list[i];
    total += stat.hits;
    if (stat.hits || opts.verbose) {
      char number[32];
      std::snprintf(number, sizeof number, "%2zu) [%lu] ", i + 1, stat.hits);
      lines.push_back(number + stat.regex);
    }
    if (!opts.verbose) continue;
    for (const RegexStat::Hit& hit : stat.hit_list) {
      std::string when = LocalTimeText(hit.time ? *hit.time : clock.Now());
      lines.push_back("    " + hit.id + "  " + when + (hit.multiple ? " (multiple regex matched)" : ""));
    }
  }
  Print("\n" + title + ": " + std::to_string(total) + " total");
  if (!lines.empty()) Print(PprintList(lines, " #) [# of hits] regular expression"));
}

void RegexTester::Impl::PrintDateTemplates() {
  const date::DateDetector* detector = filter->date_detector();
  if (!detector) return;
  Print("\nDate template hits:");
  std::vector<std::string> lines;
  for (const date::TemplateInfo& t : detector->Templates()) {
    const auto extra = extra_template_hits.find(t.name);
    const long hits = static_cast<long>(t.hits) + (extra == extra_template_hits.end() ? 0 : extra->second);
    if (!opts.verbose && !hits) continue;
    lines.push_back("[" + std::to_string(hits) + "] " + t.name);
    if (opts.verbose_date) {
      char weight[96];
      std::snprintf(weight, sizeof weight, "    # weight: %.3f (%.3f), pattern: ", static_cast<double>(hits) * t.weight,
                    t.weight);
      lines.push_back(weight + t.pattern);
      lines.push_back("    # regex:   " + t.regex);
    }
  }
  if (!lines.empty()) Print(PprintList(lines, "[# of hits] date format"));
}

// urllib.parse.quote_plus of UTF-8 text.
static std::string QuotePlus(std::string_view text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '_' || c == '.' || c == '-' || c == '~') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string RegexTester::Impl::DebuggexUrl(std::string_view line, const std::string& regex) const {
  regex::TagOptions tags;
  tags.usedns_no = opts.usedns && *opts.usedns == "no";
  std::string url = "https://www.debuggex.com/?re=" + QuotePlus(regex::ExpandTags(regex, tags)) +
                    "&str=" + QuotePlus(line) + "&flavor=python";
  if (config.maxlines > 1) url += "&flags=m";
  return url;
}

void RegexTester::Impl::PrintLines(const std::string& kind, long count, const std::vector<std::string>& lines,
                                   bool print_all, const std::vector<std::string>& debuggex_lines,
                                   const std::vector<RegexStat>& regexes) {
  if (!count) return;
  std::string header = Capitalized(kind) + " line(s):";
  if (count < report_maxlines || print_all) {
    std::vector<std::string> stripped;
    stripped.reserve(lines.size());
    if (opts.debuggex) {
      for (const std::string& l : debuggex_lines)
        for (const RegexStat& r : regexes)
          stripped.emplace_back(RStrip(l + " | " + r.regex + " |  " + DebuggexUrl(l, r.regex)));
    } else {
      for (const std::string& l : lines) stripped.emplace_back(RStrip(l));
    }
    if (!stripped.empty()) Print(PprintList(stripped, header));
  } else {
    Print(header + " too many to print.  Use --print-all-" + kind + " to print all " + std::to_string(count) +
          " lines");
  }
}

void RegexTester::Impl::PrintStats() {
  if (opts.out) return;
  Print("");
  Print("Results");
  Print("=======");
  if (const std::string* prefregex = compiled->ExpandedPrefRegex()) {
    std::vector<std::string> lines{*prefregex};
    if (opts.verbose)
      for (const std::string& groups : pref_group_lines) lines.push_back("    " + groups);
    Print("\nPrefregex: " + std::to_string(pref_count) + " total");
    Print(PprintList(lines));
  }
  PrintRegexStats("Failregex", failregex_stats);
  PrintRegexStats("Ignoreregex", ignoreregex_stats);
  PrintDateTemplates();
  char lines[160];
  std::snprintf(lines, sizeof lines, "\nLines: %ld lines, %ld ignored, %ld matched, %ld missed", stats.tested,
                stats.ignored, stats.matched, stats.missed);
  Print(lines);
  char processed[64];
  std::snprintf(processed, sizeof processed, "[processed in %.2f sec]", elapsed);
  Print(processed);
  Print("");
  if (opts.print_all_matched)
    PrintLines("matched", stats.matched, stats.matched_lines, true, stats.matched_debuggex, failregex_stats);
  if (!opts.print_no_ignored)
    PrintLines("ignored", stats.ignored, stats.ignored_lines, opts.print_all_ignored, stats.ignored_debuggex,
               ignoreregex_stats);
  if (!opts.print_no_missed)
    PrintLines("missed", stats.missed, stats.missed_lines, opts.print_all_missed, stats.missed_debuggex,
               failregex_stats);
}

}  // namespace portcullis::tester
