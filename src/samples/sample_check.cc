#include "portcullis/samples/sample_check.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "condition.h"
#include "portcullis/base/json.h"
#include "portcullis/config/filter_reader.h"
#include "portcullis/filter/filter.h"
#include "portcullis/base/py_repr.h"
#include "portcullis/regex/fail_regex.h"

namespace portcullis::samples {
namespace fs = std::filesystem;
namespace {

constexpr const char* kJournalTimeText = "2005-08-14T10:00:00";

// One annotation line: "# failJSON: {...}" and its kin (fail2ban accepts "#+ ?").
struct Annotation {
  std::string kind;     // failJSON, fileOptions, filterOptions, addFILE
  std::string payload;  // the JSON text
};

std::optional<Annotation> ParseAnnotation(std::string_view line) {
  size_t pos = 0;
  while (pos < line.size() && line[pos] == '#') ++pos;
  if (pos == 0) return std::nullopt;
  if (pos < line.size() && line[pos] == ' ') ++pos;
  for (const char* kind : {"failJSON", "fileOptions", "filterOptions", "addFILE"}) {
    std::string_view k(kind);
    if (line.substr(pos, k.size()) == k && line.size() > pos + k.size() + 1 && line[pos + k.size()] == ':') {
      // Blanks stand in for the prefix so that JSON errors give the column in the line.
      size_t start = pos + k.size() + 1;
      return Annotation{kind, std::string(start, ' ') + std::string(line.substr(start))};
    }
  }
  return std::nullopt;
}

std::vector<std::string> ReadLines(const std::string& path, bool& ok) {
  std::ifstream in(path, std::ios::binary);
  ok = static_cast<bool>(in);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

bool IsBlank(std::string_view line) {
  return line.find_first_not_of(" \t\r\n\f\v") == std::string_view::npos;
}

std::string StripLineEnd(std::string line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
  return line;
}

// Local time of "YYYY-MM-DDTHH:MM:SS[.ffffff]" as the harness computes it (mktime).
std::optional<double> ParseLocalTime(const std::string& text) {
  std::tm tm{};
  int micro = 0;
  char dot = 0;
  int n = std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%d%c%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                      &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &dot, &micro);
  if (n < 6) return std::nullopt;
  if (n == 8) {
    size_t digits = text.size() - text.rfind('.') - 1;
    for (size_t i = digits; i < 6; ++i) micro *= 10;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  tm.tm_isdst = -1;
  return static_cast<double>(std::mktime(&tm)) + micro / 1e6;
}

std::string FormatLocalTime(std::optional<double> t) {
  if (!t) return "no time";
  std::time_t secs = static_cast<std::time_t>(std::floor(*t));
  std::tm tm{};
  localtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return buf;
}


// One filter loaded with one option set (fail2ban's cached "fltName").
struct Variant {
  std::string label;            // sshd[mode=aggressive]
  config::OptionMap options;    // all options, test.* included
  std::shared_ptr<const filter::CompiledFilter> compiled;
  std::optional<filter::Filter> filter;
  std::string error;            // why it could not be loaded
  std::set<int> used;           // failregex indexes exercised
};

// Python's str(dict) of string options, the harness's cache key.
std::string OptionsKey(const config::OptionMap& options) {
  if (options.empty()) return "";
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : options) {
    out += (first ? "" : ", ") + PyRepr(k) + ": " + PyRepr(v);
    first = false;
  }
  return out + "}";
}

std::string Label(const std::string& name, const config::OptionMap& options) {
  if (options.empty()) return name;
  std::string out = name + "[";
  bool first = true;
  for (const auto& [k, v] : options) {
    out += (first ? "" : ", ") + k + "=" + v;
    first = false;
  }
  return out + "]";
}

std::string JsonToText(const json::Value& v) { return v.is_string() ? v.as_string() : v.Dump(); }

filter::RegexSource ToSource(const config::RegexLine& line) { return {line.text, line.file, line.line}; }

filter::FilterConfig ToFilterConfig(const config::FilterSpec& spec) {
  filter::FilterConfig config;
  if (spec.prefregex && !spec.prefregex->text.empty()) config.prefregex = ToSource(*spec.prefregex);
  for (const auto& r : spec.failregex) config.failregex.push_back(ToSource(r));
  for (const auto& r : spec.ignoreregex) config.ignoreregex.push_back(ToSource(r));
  config.maxlines = spec.maxlines.value_or(1);
  config.datepattern = spec.datepattern;
  config.return_raw_host = true;
  config.check_all_regex = true;
  return config;
}

class SampleRun {
 public:
  SampleRun(const SampleOptions& options, SampleReport& report, std::string basedir)
      : options_(options), report_(report), basedir_(std::move(basedir)) {}

  void Run() {
    std::vector<std::string> files{report_.sample_file};
    std::string folder = fs::path(report_.sample_file).parent_path().string();
    for (size_t i = 0; i < files.size(); ++i) RunFile(files[i], folder, files);
    CheckRegexesUsed();
  }

 private:
  void Failure(const std::string& file, int line, const std::string& variant, std::string message) {
    report_.failures.push_back(CheckFailure{file, line, variant, std::move(message)});
  }

  void RunFile(const std::string& path, const std::string& folder, std::vector<std::string>& files) {
    bool ok = true;
    std::vector<std::string> lines = ReadLines(path, ok);
    if (!ok) return Failure(path, 0, "", "cannot read the sample file");
    common_ = json::Object{};
    current_.clear();
    ignore_block_ = false;
    for (size_t i = 0; i < lines.size(); ++i) {
      const std::string& line = lines[i];
      json::Value expected = json::Object{};
      if (auto note = ParseAnnotation(line)) {
        auto payload = json::Parse(note->payload);
        if (!payload) {
          Failure(path, static_cast<int>(i + 1), "", payload.error().message);
          continue;
        }
        if (note->kind == "fileOptions") { common_ = std::move(*payload); continue; }
        if (note->kind == "filterOptions") { SetVariants(*payload, path, static_cast<int>(i + 1)); continue; }
        if (note->kind == "addFILE") {
          if (payload->is_string()) files.push_back((fs::path(folder) / payload->as_string()).string());
          continue;
        }
        expected = std::move(*payload);
        if (++i >= lines.size()) break;
      } else if (ignore_block_ || (!line.empty() && line[0] == '#') || IsBlank(line)) {
        continue;
      }
      if (ignore_block_) continue;
      if (current_.empty()) current_.push_back(LoadVariant(config::OptionMap{}, config::OptionMap{}, ""));
      CheckLine(path, static_cast<int>(i + 1), StripLineEnd(lines[i]), expected);
    }
  }

  config::OptionMap MergedOptions(const json::Value& set) const {
    config::OptionMap opts;
    if (common_.is_object())
      for (const auto& [k, v] : common_.as_object()) opts.Set(k, JsonToText(v));
    if (set.is_object())
      for (const auto& [k, v] : set.as_object()) opts.Set(k, JsonToText(v));
    return opts;
  }

  void SetVariants(const json::Value& payload, const std::string& path, int line) {
    current_.clear();
    ignore_block_ = false;
    json::Array sets = payload.is_array() ? payload.as_array() : json::Array{payload};
    for (const json::Value& set : sets) {
      config::OptionMap opts = MergedOptions(set);
      if (const std::string* cond = opts.Find("test.condition"); cond && !cond->empty()) {
        auto holds = EvaluateCondition(*cond, report_.name, opts);
        if (!holds) Failure(path, line, "", holds.error().ToString());
        ignore_block_ = !holds || !*holds;
      }
      if (ignore_block_) continue;
      config::OptionMap filter_opts;
      for (const auto& [k, v] : opts)
        if (k.rfind("test.", 0) != 0) filter_opts.Set(k, v);
      const std::string* given = opts.Find("test.filter-name");
      std::string key = report_.name + (given && !given->empty() ? *given : OptionsKey(filter_opts));
      current_.push_back(LoadVariant(filter_opts, opts, key));
    }
  }

  Variant* LoadVariant(const config::OptionMap& filter_opts, const config::OptionMap& opts, std::string key) {
    if (key.empty()) key = report_.name;
    auto it = variants_.find(key);
    if (it != variants_.end()) {
      it->second->options = opts;
      return it->second.get();
    }
    auto variant = std::make_unique<Variant>();
    variant->label = Label(report_.name, filter_opts);
    variant->options = opts;
    Build(*variant, filter_opts);
    order_.push_back(variant.get());
    return variants_.emplace(key, std::move(variant)).first->second.get();
  }

  void Build(Variant& variant, const config::OptionMap& filter_opts) {
    config::FilterRequest request;
    request.basedir = basedir_;
    request.name = report_.name;
    request.options = filter_opts;
    if (fs::path(report_.filter_file).parent_path().filename() != "filter.d") request.file = report_.filter_file;
    auto spec = config::ReadFilter(request);
    if (!spec) {
      variant.error = spec.error().ToString();
      return Failure(report_.filter_file, 0, variant.label, variant.error);
    }
    auto compiled = filter::CompiledFilter::Compile(ToFilterConfig(*spec));
    if (!compiled) {
      variant.error = compiled.error().ToString();
      return Failure(report_.filter_file, 0, variant.label, variant.error);
    }
    auto made = filter::Filter::Create(*compiled, *options_.clock);
    if (!made) {
      variant.error = made.error().ToString();
      return Failure(report_.filter_file, 0, variant.label, variant.error);
    }
    variant.compiled = *compiled;
    variant.filter.emplace(std::move(*made));
    CheckGreedy(variant);
  }

  void CheckGreedy(const Variant& variant);
  void CheckLine(const std::string& path, int line_no, const std::string& line, const json::Value& expected);
  std::optional<std::string> Compare(const filter::Failure& got, const json::Value& expected) const;
  void CheckRegexesUsed();

  const SampleOptions& options_;
  SampleReport& report_;
  std::string basedir_;
  json::Value common_ = json::Object{};
  std::vector<Variant*> current_;
  bool ignore_block_ = false;
  std::map<std::string, std::unique_ptr<Variant>> variants_;
  std::vector<Variant*> order_;
  std::set<std::string> used_regexes_;
};

}  // namespace

// fail2ban's RE_WRONG_GREED: a greedy catch-all before <HOST> that is not hard-anchored
// at the end makes a filter injectable.
void SampleRun::CheckGreedy(const Variant& variant) {
  std::string host = regex::ExpandTags("<HOST>");
  std::string escaped;
  for (char c : host) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') escaped += '\\';
    escaped += c;
  }
  auto greedy = regex::Regex::Compile(R"(\.[+\*](?!\?)[^\$\^]*)" + escaped + R"(.*(?:\.[+\*].*|[^\$])$)");
  if (!greedy) return;
  regex::Match m;
  for (size_t i = 0; i < variant.compiled->failregex_count(); ++i) {
    const std::string& re = variant.compiled->ExpandedFailRegex(i);
    if (greedy->Search(re, m))
      Failure(report_.filter_file, 0, variant.label,
              "failregex " + std::to_string(i) + " has a greedy catch-all before <HOST> that is not "
              "hard-anchored at the end");
  }
}

namespace {

std::string Describe(const filter::Failure& f) {
  std::string out = f.id ? f.id->ToString() : std::string("None");
  return out + " (failregex " + std::to_string(f.failregex) + ")";
}

// The harness's fail.get(k) as text for messages and comparisons.
std::optional<json::Value> ValueOf(const filter::Failure& got, const std::string& key) {
  const filter::FailValue* v = got.data.Find(key);
  if (v && std::holds_alternative<std::string>(*v)) return json::Value(std::get<std::string>(*v));
  if (v && std::holds_alternative<filter::Users>(*v)) {
    json::Array items;
    for (const auto& u : std::get<filter::Users>(*v)) items.emplace_back(u);
    return json::Value(std::move(items));
  }
  if (v && std::holds_alternative<std::int64_t>(*v)) return json::Value(static_cast<long long>(std::get<std::int64_t>(*v)));
  if (v && std::holds_alternative<filter::Tuple>(*v)) return json::Value(PyRepr(std::get<filter::Tuple>(*v)));
  if (key == "attempts") return json::Value(static_cast<long long>(got.data.matches().size()));
  return std::nullopt;  // None
}

bool SameHost(const filter::Failure& got, const json::Value& expected) {
  if (!got.id) return expected.is_null();
  if (!expected.is_string()) return false;
  if (!got.id->IsValid()) return got.id->ToString() == expected.as_string();
  return IpAddr::Parse(expected.as_string()) == *got.id;
}

bool SameSorted(const json::Value& got, const json::Value& expected) {
  if (!got.is_array() || !expected.is_array()) return false;
  std::vector<std::string> a, b;
  for (const auto& v : got.as_array()) a.push_back(v.Dump());
  for (const auto& v : expected.as_array()) b.push_back(v.Dump());
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a == b;
}

}  // namespace

std::optional<std::string> SampleRun::Compare(const filter::Failure& got, const json::Value& expected) const {
  for (const auto& [key, want] : expected.as_object()) {
    if (key == "time" || key == "match" || key == "desc" || key == "constraint") continue;
    std::optional<json::Value> have = ValueOf(got, key);
    bool same;
    if (!have && key == "host") {
      same = SameHost(got, want);
      if (!same) return "expected host " + want.Dump() + ", got " + Describe(got);
      continue;
    }
    if (!have) {
      same = want.is_null();
    } else if (have->is_array()) {
      same = SameSorted(*have, want);
    } else {
      same = have->Dump() == want.Dump();
    }
    if (!same) return "expected " + key + " " + want.Dump() + ", got " + (have ? have->Dump() : "None");
  }
  const json::Value* when = expected.Find("time");
  if (when && when->is_string()) {
    auto want = ParseLocalTime(when->as_string());
    if (!want || !got.time || std::fabs(*got.time - *want) > 1e-6)
      return "expected time " + when->as_string() + ", got " + FormatLocalTime(got.time);
  }
  return std::nullopt;
}

void SampleRun::CheckLine(const std::string& path, int line_no, const std::string& line,
                          const json::Value& expected) {
  const json::Value* match_flag = expected.Find("match");
  const bool should_match = match_flag && match_flag->is_bool() && match_flag->as_bool();
  for (Variant* variant : current_) {
    if (const json::Value* c = expected.Find("constraint"); c && c->is_string()) {
      auto holds = EvaluateCondition(c->as_string(), report_.name, variant->options);
      if (!holds) Failure(path, line_no, variant->label, holds.error().ToString());
      if (!holds || !*holds) continue;
    }
    ++report_.checks;
    if (!variant->filter) {
      ++report_.failed;
      continue;
    }
    const std::vector<filter::Failure>* results;
    const std::string* logtype = variant->options.Find("logtype");
    if (logtype && *logtype == "journal") {
      const std::string* prefix = variant->options.Find("test.prefix-line");
      filter::LineParts parts{"", kJournalTimeText, (prefix ? *prefix : "") + line};
      results = &variant->filter->ProcessLine(parts, options_.clock->Now());
    } else {
      results = &variant->filter->ProcessLine(line);
    }
    std::vector<const filter::Failure*> found;
    for (const filter::Failure& f : *results) {
      if (!f.id || f.nofail) {
        variant->used.insert(f.failregex);
        used_regexes_.insert(variant->compiled->ExpandedFailRegex(static_cast<size_t>(f.failregex)));
        continue;
      }
      found.push_back(&f);
    }
    std::optional<std::string> problem;
    if (found.empty()) {
      if (should_match) problem = "expected a match, got none";
    } else if (!should_match) {
      problem = "expected no match, got " + Describe(*found[0]);
    } else if (found.size() != 1) {
      problem = "expected one failregex to match, got " + std::to_string(found.size());
    } else {
      problem = Compare(*found[0], expected);
    }
    for (const filter::Failure* f : found) {
      variant->used.insert(f->failregex);
      used_regexes_.insert(variant->compiled->ExpandedFailRegex(static_cast<size_t>(f->failregex)));
    }
    if (problem) {
      ++report_.failed;
      Failure(path, line_no, variant->label, *problem);
    }
  }
}

void SampleRun::CheckRegexesUsed() {
  for (const Variant* variant : order_) {
    if (!variant->compiled) continue;
    for (size_t i = 0; i < variant->compiled->failregex_count(); ++i) {
      if (variant->used.count(static_cast<int>(i)) ||
          used_regexes_.count(variant->compiled->ExpandedFailRegex(i)))
        continue;
      Failure(report_.filter_file, 0, variant->label,
              "failregex " + std::to_string(i) + " has no samples: " + variant->compiled->ExpandedFailRegex(i));
    }
  }
}

SampleReport CheckSample(const std::string& sample_path, const SampleOptions& options) {
  SampleReport report;
  report.sample_file = sample_path;
  report.name = fs::path(sample_path).filename().string();
  std::string basedir;
  for (const std::string& dir : options.config_dirs) {
    std::error_code ec;
    fs::path candidate = fs::path(dir) / "filter.d" / (report.name + ".conf");
    if (fs::is_regular_file(candidate, ec)) {
      basedir = dir;
      report.filter_file = candidate.string();
      break;
    }
    candidate = fs::path(dir) / (report.name + ".conf");  // a folder of filters, like filters/
    if (fs::is_regular_file(candidate, ec)) {
      basedir = dir;
      report.filter_file = candidate.string();
      break;
    }
  }
  if (basedir.empty()) {
    report.skipped = true;
    return report;
  }
  SystemClock system_clock;
  SampleOptions effective = options;
  if (!effective.clock) effective.clock = &system_clock;
  SampleRun(effective, report, basedir).Run();
  return report;
}

std::vector<std::string> ListSamples(const std::string& path) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::is_directory(path, ec)) return {path};
  for (const auto& entry : fs::directory_iterator(path, ec))
    if (entry.is_regular_file()) out.push_back(entry.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace portcullis::samples
