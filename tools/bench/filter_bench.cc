// portcullis-filter-bench: the filter engine alone over a log file, for profiling.
//
//   portcullis-filter-bench LOG FILTER [--config DIR] [--repeat N] [--prefilters]
//
// Reads FILTER (a filter.d/NAME.conf path, any other .conf path, or a NAME looked up in
// DIR/filter.d, each optionally with [opt=val, ...]) with config::ReadFilter, compiles it,
// and runs Filter::ProcessLine over every line of LOG as fail2ban-regex does (empty lines
// and lines starting with '#' skipped; every failregex tried; pending failures counted).
// Prints fail2ban-regex's `Lines:` summary and the time spent on the lines. No report, no
// output per line: what is left is reading, date detection and the regexes.
// --prefilters lists the literals each failregex needs before its matcher runs.

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "portcullis/base/clock.h"
#include "portcullis/config/filter_reader.h"
#include "portcullis/config/options.h"
#include "portcullis/filter/filter.h"
#include "portcullis/regex/regex.h"

namespace fs = std::filesystem;
using namespace portcullis;

namespace {

constexpr size_t kBlock = 4 << 20;

struct Counts {
  long lines = 0, ignored = 0, matched = 0, missed = 0;
};

// fail2ban-regex's verdict on one line: ignored (an ignoreregex hit or only nofail
// failures), matched (a failure) or missed.
class LineVerdict : public filter::FilterObserver {
 public:
  void OnIgnoreRegexMatch(int) override { ignored_ = true; }
  void Count(const std::vector<filter::Failure>& failures, Counts& counts) {
    bool failed = false;
    for (const auto& f : failures) {
      if (f.nofail) ignored_ = true;
      else failed = true;
    }
    ++counts.lines;
    if (ignored_) ++counts.ignored;
    else if (failed) ++counts.matched;
    else ++counts.missed;
    ignored_ = false;
  }

 private:
  bool ignored_ = false;
};

Result<config::FilterRequest> RequestFor(std::string_view arg, const std::string& config_dir) {
  auto named = config::ExtractOptions(arg);
  if (!named) return Fail(named.error());
  config::FilterRequest request;
  request.options = named->options;
  fs::path path(named->name);
  if (path.extension() == ".conf" || named->name.find('/') != std::string::npos) {
    request.name = path.stem().string();
    if (path.parent_path().filename() == "filter.d") {
      request.basedir = path.parent_path().parent_path().string();
    } else {
      request.basedir = path.parent_path().string();
      request.file = path.string();
    }
  } else {
    request.name = named->name;
    request.basedir = config_dir;
  }
  return request;
}

Result<std::shared_ptr<const filter::CompiledFilter>> Compile(const config::FilterRequest& request) {
  auto spec = config::ReadFilter(request);
  if (!spec) return Fail(spec.error());
  filter::FilterConfig config;
  auto source = [](const config::RegexLine& l) { return filter::RegexSource{l.text, l.file, l.line}; };
  if (spec->prefregex && !spec->prefregex->text.empty()) config.prefregex = source(*spec->prefregex);
  for (const auto& r : spec->failregex) config.failregex.push_back(source(r));
  for (const auto& r : spec->ignoreregex) config.ignoreregex.push_back(source(r));
  config.maxlines = spec->maxlines.value_or(1);
  config.datepattern = spec->datepattern;
  if (spec->usedns) {
    auto usedns = filter::ParseUseDns(*spec->usedns);
    if (!usedns) return Fail(usedns.error());
    config.usedns = *usedns;
  }
  config.check_all_regex = true;   // fail2ban-regex's default (--no-check-all unset)
  config.ignore_pending = false;   // fail2ban-regex without -o
  return filter::CompiledFilter::Compile(config);
}

// Feeds every line of `file` to `filter`; false on a read error.
bool ProcessFile(std::FILE* file, filter::Filter& filter, LineVerdict& verdict, Counts& counts) {
  std::vector<char> block(kBlock);
  size_t kept = 0;  // bytes of an unfinished line at the start of `block`
  for (;;) {
    if (kept == block.size()) block.resize(block.size() * 2);  // a line longer than a block
    size_t got = std::fread(block.data() + kept, 1, block.size() - kept, file);
    const bool eof = got == 0;
    size_t end = kept + got;
    const char* p = block.data();
    const char* stop = block.data() + end;
    for (;;) {
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(stop - p)));
      if (!nl) {
        if (!eof) break;
        nl = stop;  // the last line has no newline
      }
      std::string_view line(p, static_cast<size_t>(nl - p));
      while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
      if (!line.empty() && line.front() != '#') verdict.Count(filter.ProcessLine(line), counts);
      if (nl == stop) break;
      p = nl + 1;
    }
    if (eof) return !std::ferror(file);
    kept = static_cast<size_t>(stop - p);
    std::memmove(block.data(), p, kept);
  }
}

int Usage() {
  std::cerr << "Usage: portcullis-filter-bench LOG FILTER [--config DIR] [--repeat N] [--prefilters]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> positional;
  std::string config_dir = "/etc/fail2ban";
  int repeat = 1;
  bool prefilters = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--config" && i + 1 < argc) config_dir = argv[++i];
    else if (arg == "--repeat" && i + 1 < argc) repeat = std::max(1, std::atoi(argv[++i]));
    else if (arg == "--prefilters") prefilters = true;
    else if (arg.starts_with("-")) return Usage();
    else positional.emplace_back(arg);
  }
  if (positional.size() != 2) return Usage();
  try {
    const auto setup_start = std::chrono::steady_clock::now();
    auto request = RequestFor(positional[1], config_dir);
    auto compiled = request ? Compile(*request) : Result<std::shared_ptr<const filter::CompiledFilter>>(
                                                      std::unexpected(request.error()));
    if (!compiled) {
      std::cerr << "portcullis-filter-bench: " << compiled.error().ToString() << "\n";
      return 1;
    }
    if (prefilters) {
      if (const std::string* pref = (*compiled)->ExpandedPrefRegex()) {
        auto re = regex::Regex::Compile(*pref);
        std::printf("prefregex: %s\n", re ? re->prefilter().c_str() : "?");
      }
      for (size_t i = 0; i < (*compiled)->failregex_count(); ++i) {
        auto re = regex::Regex::Compile((*compiled)->ExpandedFailRegex(i));
        std::printf("failregex %zu: %s\n", i, re ? re->prefilter().c_str() : "?");
      }
    }
    SystemClock clock;
    const double setup = std::chrono::duration<double>(std::chrono::steady_clock::now() - setup_start).count();
    Counts counts;
    double seconds = 0;
    for (int r = 0; r < repeat; ++r) {
      auto filter = filter::Filter::Create(*compiled, clock);
      if (!filter) {
        std::cerr << "portcullis-filter-bench: " << filter.error().ToString() << "\n";
        return 1;
      }
      LineVerdict verdict;
      filter->set_observer(&verdict);
      std::FILE* file = std::fopen(positional[0].c_str(), "rb");
      if (!file) {
        std::cerr << "portcullis-filter-bench: cannot open " << positional[0] << ": " << std::strerror(errno) << "\n";
        return 1;
      }
      counts = Counts{};
      const auto start = std::chrono::steady_clock::now();
      const bool ok = ProcessFile(file, *filter, verdict, counts);
      seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::fclose(file);
      if (!ok) {
        std::cerr << "portcullis-filter-bench: error reading " << positional[0] << "\n";
        return 1;
      }
    }
    seconds /= repeat;
    std::printf("Lines: %ld lines, %ld ignored, %ld matched, %ld missed\n", counts.lines, counts.ignored,
                counts.matched, counts.missed);
    std::printf("[processed in %.3f sec: %.0f lines/s, %.0f ns/line; setup %.3f sec]\n", seconds,
                seconds > 0 ? counts.lines / seconds : 0.0, counts.lines ? seconds * 1e9 / counts.lines : 0.0,
                setup);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "portcullis-filter-bench: " << e.what() << "\n";
    return 1;
  }
}
