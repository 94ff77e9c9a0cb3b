#include "portcullis/config/filter_reader.h"

#include <algorithm>

#include "config/definition_reader.h"
#include "config/interpolation.h"
#include "config/text.h"
#include "portcullis/config/tags.h"

namespace portcullis::config {

namespace {

// FilterReader._configOpts, in fail2ban's order.
const std::vector<std::string>& FilterOptionNames() {
  static const std::vector<std::string> names{"usedns",   "prefregex",   "ignoreregex", "failregex",
                                              "maxlines", "datepattern", "journalmatch"};
  return names;
}

Result<ConfigTree> ReadTree(const FilterRequest& request, FileCache& cache) {
  if (request.file) return ConfigTree::ReadFile(*request.file, cache);
  return ConfigTree::Read(request.basedir, "filter.d/" + request.name, cache);
}

// FilterReader.applyAutoOptions.
void ApplyAutoOptions(const ConfigTree& tree, const std::string& backend, OptionMap& init) {
  const std::string* logtype = init.Find("logtype");
  if ((logtype && !logtype->empty()) || tree.FindOwnRaw("Definition", "logtype")) return;
  init.Set("logtype", StartsWith(backend, "systemd") ? "journal" : "file");
}

// Python's int(): optional sign and digits, surrounding blanks allowed.
std::optional<int> ParseInt(std::string_view text) {
  std::string_view t = Strip(text);
  size_t i = (!t.empty() && (t[0] == '+' || t[0] == '-')) ? 1 : 0;
  if (i == t.size() || t.size() > 10) return std::nullopt;
  long value = 0;
  for (size_t k = i; k < t.size(); ++k) {
    if (t[k] < '0' || t[k] > '9') return std::nullopt;
    value = value * 10 + (t[k] - '0');
  }
  return static_cast<int>(t[0] == '-' ? -value : value);
}

// Reads one filter: the state shared by the steps below.
class FilterBuilder {
 public:
  FilterBuilder(const FilterRequest& request, const ConfigTree& tree)
      : request_(request), tree_(tree), reader_(tree, request.options) {}

  Result<FilterSpec> Build();

 private:
  std::vector<RegexLine> Lines(const std::string& option, const std::string& value) const;
  std::vector<int> SourceLines(const std::string& option, const Value& raw, size_t count) const;
  Result<size_t> ExpandedLineCount(const std::string& option, std::string_view raw_line) const;
  Result<void> Fill(FilterSpec& spec) const;

  const FilterRequest& request_;
  const ConfigTree& tree_;
  DefinitionReader reader_;
  OptionMap combined_;
};

Result<FilterSpec> FilterBuilder::Build() {
  if (request_.backend) ApplyAutoOptions(tree_, *request_.backend, reader_.init_options());
  auto got = reader_.GetOptions(request_.jail_options, FilterOptionNames(),
                                request_.all_definition_options);
  if (!got) return Fail(got.error());
  auto combined = reader_.GetCombined({});
  if (!combined) return Fail(combined.error());
  combined_ = std::move(*combined);
  FilterSpec spec;
  spec.name = request_.name;
  if (spec.name.empty() && request_.file) {
    std::string_view file = *request_.file;
    file = file.substr(file.rfind('/') + 1);
    spec.name = std::string(file.substr(0, file.rfind(".conf")));
  }
  spec.files = tree_.files();
  spec.warnings = tree_.warnings();
  spec.options = request_.options;
  spec.combined = combined_;
  if (auto ok = Fill(spec); !ok) return Fail(ok.error());
  return spec;
}

Result<void> FilterBuilder::Fill(FilterSpec& spec) const {
  auto where = [&](const std::string& option) {
    const Value* raw = reader_.Locate(option, request_.options);
    return raw ? RegexLine{"", raw->file, raw->line} : RegexLine{};
  };
  if (const std::string* v = combined_.Find("failregex")) spec.failregex = Lines("failregex", *v);
  if (const std::string* v = combined_.Find("ignoreregex")) spec.ignoreregex = Lines("ignoreregex", *v);
  if (const std::string* v = combined_.Find("prefregex")) {
    spec.prefregex = where("prefregex");
    spec.prefregex->text = *v;
  }
  if (const std::string* v = combined_.Find("maxlines")) {
    std::optional<int> n = ParseInt(*v);
    RegexLine at = where("maxlines");
    if (!n) return Fail("maxlines must be an integer", at.file, at.line, *v);
    spec.maxlines = n;
  }
  if (const std::string* v = combined_.Find("datepattern")) spec.datepattern = *v;
  if (const std::string* v = combined_.Find("usedns")) spec.usedns = *v;
  if (const std::string* v = combined_.Find("journalmatch")) {
    for (std::string& line : SplitOn(*v, '\n')) {
      if (!line.empty()) spec.journalmatch.push_back(std::move(line));
    }
  }
  return {};
}

// The value split on "\n", empty lines dropped, each with the line it was written on.
std::vector<RegexLine> FilterBuilder::Lines(const std::string& option,
                                            const std::string& value) const {
  std::vector<std::string> lines = SplitOn(value, '\n');
  const Value* raw = reader_.Locate(option, request_.options);
  std::vector<int> at = raw ? SourceLines(option, *raw, lines.size()) : std::vector<int>();
  std::vector<RegexLine> out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    out.push_back(RegexLine{lines[i], raw ? raw->file : "", at.empty() ? 0 : at[i]});
  }
  return out;
}

// Source line of each of `count` substituted lines: traced by expanding each written
// line on its own; the option's line when that does not add up.
std::vector<int> FilterBuilder::SourceLines(const std::string& option, const Value& raw,
                                            size_t count) const {
  std::vector<int> fallback(count, raw.line);
  std::vector<std::string> written = SplitOn(raw.text, '\n');
  if (written.size() != raw.lines.size()) return fallback;
  if (written.size() == count) return raw.lines;
  std::vector<int> at;
  for (size_t i = 0; i < written.size(); ++i) {
    auto n = ExpandedLineCount(option, written[i]);
    if (!n) return fallback;
    at.insert(at.end(), *n, raw.lines[i]);
  }
  return at.size() == count ? at : fallback;
}

Result<size_t> FilterBuilder::ExpandedLineCount(const std::string& option,
                                                std::string_view raw_line) const {
  std::string_view section = reader_.SectionOf(option);
  OptionMap no_vars;
  const OptionMap& vars = section == DefinitionReader::kInit ? no_vars : reader_.p_options();
  auto text = Interpolator(tree_.merged(), section, vars).Interpolate(option, std::string(raw_line));
  if (!text) return Fail(text.error());
  static const std::string kProbe = "\x01line";
  OptionMap probe = combined_;
  probe.Set(kProbe, *text);
  TagOptions options{reader_.ignored(), "", [this](std::string_view tag) {
                       return tree_.GetEx(DefinitionReader::kDefinition, tag, reader_.p_options());
                     }};
  auto substituted = SubstituteRecursiveTags(probe, options);
  if (!substituted) return Fail(substituted.error());
  const std::string& expanded = *substituted->Find(kProbe);
  return static_cast<size_t>(std::count(expanded.begin(), expanded.end(), '\n')) + 1;
}

}  // namespace

Result<FilterSpec> ReadFilter(const FilterRequest& request) {
  FileCache local;
  FileCache& cache = request.cache ? *request.cache : local;
  auto tree = ReadTree(request, cache);
  if (!tree) return Fail(tree.error());
  return FilterBuilder(request, *tree).Build();
}

}  // namespace portcullis::config
