// fail2ban-regex's Fail2banRegex: reads the REGEX and LOG arguments, runs the filter
// over the lines and prints the report (or the -o lines). The order of every printed
// line follows fail2ban-regex's, errors included.

#include "portcullis/tester/regex_tester.h"

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "portcullis/config/filter_reader.h"
#include "portcullis/date/date_detector.h"
#include "portcullis/base/py_repr.h"
#include "portcullis/tester/log_reader.h"
#include "portcullis/tester/out_format.h"
#include "portcullis/tester/report.h"
#include "tester/tester_impl.h"

namespace portcullis::tester {
namespace {

// Python's "%Ns" % text: right-aligned in `width` characters.
std::string Pad(std::string_view text, size_t width) {
  return text.size() >= width ? std::string(text) : std::string(width - text.size(), ' ') + std::string(text);
}

filter::RegexSource ToSource(const config::RegexLine& line) { return {line.text, line.file, line.line}; }

}  // namespace

RegexTester::RegexTester(Options options, const Clock& clock, filter::Resolver* resolver, FileSystemView fs)
    : impl_(std::make_unique<Impl>(std::move(options), clock, resolver, std::move(fs))) {}

RegexTester::~RegexTester() = default;

void RegexTester::set_host_lookup(std::function<std::optional<std::string>(const IpAddr&)> lookup) {
  impl_->host_lookup = std::move(lookup);
}

size_t RegexTester::segments() const { return impl_->segments_used; }

int RegexTester::Run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  impl_->out = &out;
  impl_->err = &err;
  int code = impl_->Run(args);
  impl_->Flush();
  return code;
}

void RegexTester::Impl::Emit(std::string_view line) {
  buffer.append(line);
  buffer += '\n';
  if (buffer.size() >= (1 << 16)) Flush();
}

void RegexTester::Impl::Flush() {
  if (out && !buffer.empty()) out->write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
  buffer.clear();
  if (out) out->flush();
}

// Fail2banRegex.__init__: the options that apply before any argument is read.
bool RegexTester::Impl::Setup() {
  report_maxlines = opts.maxlines ? opts.maxlines : 20;
  if (opts.maxlines && !SetMaxLines(opts.maxlines)) return false;
  if (opts.timezone) {
    auto detector = date::DateDetector::Create(std::nullopt, clock);
    if (detector) {
      if (auto ok = detector->SetDefaultTimeZone(*opts.timezone); !ok) {
        Error(TimeZoneError(*opts.timezone, ok.error().message));
        return false;
      }
    }
    config.logtimezone = opts.timezone;
  }
  if (opts.datepattern && !SetDatePattern(*opts.datepattern)) return false;
  if (opts.usedns) {
    auto usedns = filter::ParseUseDns(*opts.usedns);
    config.usedns = usedns ? *usedns : filter::UseDns::kNo;  // fail2ban: "Using safe 'no'"
  }
  config.return_raw_host = opts.raw;
  config.check_all_regex = opts.check_all_regex && !opts.out;
  config.ignore_pending = opts.out.has_value();
  config.check_find_time = false;
  return true;
}

// fail2ban's KeyError for a well-formed but unknown zone abbreviation prints as 'XYZ'.
std::string RegexTester::Impl::TimeZoneError(const std::string& tz, const std::string& message) {
  bool letters = !tz.empty() && tz.size() <= 5;
  for (char c : tz) letters = letters && c >= 'A' && c <= 'Z';
  return letters ? PyRepr(tz) : message;
}

bool RegexTester::Impl::SetMaxLines(int value) {
  if (maxlines_set) return true;
  if (value <= 0) {
    Error("maxlines must be integer greater than zero");
    return false;
  }
  config.maxlines = value;
  maxlines_set = true;
  Print("Use         maxlines : " + std::to_string(value));
  return true;
}

bool RegexTester::Impl::SetDatePattern(const std::string& pattern) {
  if (datepattern_set) return true;
  auto detector = date::DateDetector::Create(pattern, clock);
  if (!detector) {
    Error(detector.error().message);
    return false;
  }
  config.datepattern = pattern;
  datepattern_set = true;
  Print("Use      datepattern : " + pattern + " : " + detector->Description());
  return true;
}

void RegexTester::Impl::Error(std::string_view message) { Emit("ERROR: " + std::string(message)); }

int RegexTester::Impl::Run(const std::vector<std::string>& args) {
  if (!opts.out) {
    Emit("");
    Emit("Running tests");
    Emit("=============");
    Emit("");
  }
  if (!Setup()) return kExitError;
  if (args.at(0).starts_with("systemd-journal")) backend = "systemd";
  if (!ReadRegex(args.at(1), RegexType::kFail)) return kExitError;
  if (!CompileFilter()) return kExitError;
  if (args.size() == 3 && !ReadRegex(args[2], RegexType::kIgnore)) return kExitError;
  if (args.size() == 3 && !CompileFilter()) return kExitError;
  auto filter_or = filter::Filter::Create(compiled, clock, resolver);
  if (!filter_or) {
    Error(filter_or.error().message);
    return kExitError;
  }
  filter.emplace(std::move(*filter_or));
  filter->set_observer(this);
  filter->set_failure_data(NeedsFailureData());
  if (opts.out) out_format.emplace(*opts.out, host_lookup);
  if (!RunLog(args[0])) return kExitError;
  PrintStats();
  return 0;
}

bool RegexTester::Impl::CompileFilter() {
  auto compiled_or = filter::CompiledFilter::Compile(config);
  if (!compiled_or) {
    Error(compiled_or.error().message);
    return false;
  }
  compiled = std::move(*compiled_or);
  return true;
}

// Fail2banRegex.readRegex.
bool RegexTester::Impl::ReadRegex(const std::string& value, RegexType type) {
  const std::string kind = type == RegexType::kFail ? "failregex" : "ignoreregex";
  RegexArgument arg;
  arg.value = value;
  if (type == RegexType::kFail) {
    auto resolved = ResolveRegexArgument(value, opts.config, fs);
    if (!resolved) {
      Emit("ERROR: Wrong filter name or options: " + resolved.error().message);
      Emit("       while parsing: " + value);
      return false;
    }
    arg = std::move(*resolved);
  }
  if (arg.kind == RegexArgument::Kind::kLiteral) {
    Print("Use " + Pad(kind, 11) + " line : " + ShortStr(value));
    auto& list = type == RegexType::kFail ? config.failregex : config.ignoreregex;
    list.push_back(filter::RegexSource{value, "", 0});
    (type == RegexType::kFail ? failregex_stats : ignoreregex_stats).push_back(RegexStat{value});
    return true;
  }
  return ReadFilterFile(arg);
}

bool RegexTester::Impl::ReadFilterFile(const RegexArgument& arg) {
  config::FilterRequest request;
  if (arg.kind == RegexArgument::Kind::kFilter) {
    Print("Use   failregex filter file : " + arg.name + ", basedir: " + arg.basedir);
    std::error_code ec;
    if (arg.basedir.empty() || !std::filesystem::is_directory(arg.basedir, ec)) {
      Emit("Wrong config file: Base configuration directory " + arg.basedir + " does not exist ");
      Emit("ERROR: failed to load filter " + arg.value);
      return false;
    }
    request.basedir = arg.basedir;
    request.name = arg.name;
  } else {
    Print("Use   failregex file : " + arg.name);
    request.file = arg.file;
  }
  if (!arg.options.empty()) Print("Use   filter options : " + arg.options.Repr());
  request.options = arg.options;
  request.backend = backend;
  auto spec = config::ReadFilter(request);
  if (!spec) {
    Emit("Wrong config file: " + spec.error().ToString());
    Emit("ERROR: failed to load filter " + arg.value);
    return false;
  }
  if (opts.verbose > 1) {
    config::OptionMap real;
    std::vector<std::string> keys{"logtype", "datepattern"};
    for (const auto& [k, v] : arg.options) keys.push_back(k);
    for (const std::string& k : keys)
      if (const std::string* v = spec->combined.Find(k)) real.Set(k, *v);
    Print("Real  filter options : " + real.Repr());
  }
  if (spec->prefregex && !spec->prefregex->text.empty()) config.prefregex = ToSource(*spec->prefregex);
  else config.prefregex.reset();
  if (spec->maxlines) {
    if (!maxlines_set && *spec->maxlines <= 0) {
      Emit("ERROR: Invalid value for maxlines ('" + std::to_string(*spec->maxlines) + "') read from " + arg.value +
           ": maxlines must be integer greater than zero");
      return false;
    }
    SetMaxLines(*spec->maxlines);
  }
  if (spec->datepattern && !SetDatePattern(*spec->datepattern)) return false;
  for (const auto& line : spec->failregex) {
    config.failregex.push_back(ToSource(line));
    failregex_stats.push_back(RegexStat{line.text});
  }
  for (const auto& line : spec->ignoreregex) {
    config.ignoreregex.push_back(ToSource(line));
    ignoreregex_stats.push_back(RegexStat{line.text});
  }
  return true;
}

// Fail2banRegex.start, second half: the LOG argument.
bool RegexTester::Impl::RunLog(const std::string& value) {
  LogArgument log = ResolveLogArgument(value, config.maxlines, fs);
  switch (log.kind) {
    case LogArgument::Kind::kFile: {
      auto encoding = ParseEncoding(opts.encoding);
      if (!encoding) {
        Error(encoding.error().message);
        return false;
      }
      auto reader = LogReader::Open(log.value, *encoding);
      if (!reader) {
        Emit(reader.error().message);
        return false;
      }
      Print("Use         log file : " + log.value);
      Print("Use         encoding : " + opts.encoding);
      Print("");
      auto start = std::chrono::steady_clock::now();
      std::error_code ec;
      const uint64_t size = std::filesystem::file_size(log.value, ec);
      if (!ec && CanSplit(size)) {
        if (!RunSplit(log.value, *encoding, size)) return false;
      } else {
        std::string_view line;
        while (reader->Next(line)) TestLine(line);
      }
      elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      return true;
    }
    case LogArgument::Kind::kJournal:
      *err << "ERROR: systemd-journal is not supported in this build: read the journal with "
              "journalctl and pass the text or a file instead\n";
      return false;
    case LogArgument::Kind::kSingleLine: {
      std::string shown = log.lines[0];
      Print("Use      single line : " + ShortStr(shown));
      break;
    }
    case LogArgument::Kind::kMultiLine:
      Print("Use      multi line : " + std::to_string(log.lines.size()) + " line(s)");
      for (size_t i = 0; i < log.lines.size(); ++i) {
        if (i >= 5) {
          Print("| ...");
          break;
        }
        std::string number = std::to_string(i + 1).substr(0, 2);
        Print("| " + Pad(number, 2) + ": " + ShortStr(log.lines[i]));
      }
      Print("`-");
      break;
  }
  Print("");
  auto start = std::chrono::steady_clock::now();
  for (const std::string& text : log.lines) {
    std::string_view line = text;
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
    TestLine(line);
  }
  elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return true;
}

}  // namespace portcullis::tester
