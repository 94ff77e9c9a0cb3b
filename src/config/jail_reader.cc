#include "portcullis/config/jail_reader.h"

#include <glob.h>
#include <sys/stat.h>

#include "config/text.h"
#include "portcullis/config/config_tree.h"

namespace portcullis::config {
namespace {

constexpr const char* kFail2banVersion = "1.0.2";

// JailReader._configOpts (without the filter options, handled by the filter reader).
const std::vector<std::string>& JailOptionNames() {
  static const std::vector<std::string> names{
      "enabled", "backend", "maxretry", "maxmatches", "findtime", "bantime",
      "bantime.increment", "bantime.factor", "bantime.formula", "bantime.multipliers",
      "bantime.maxtime", "bantime.rndtime", "bantime.overalljails", "ignorecommand",
      "ignoreself", "ignoreip", "ignorecache", "filter", "logtimezone", "logencoding",
      "logpath", "action"};
  return names;
}

const std::vector<std::string>& FilterOptionNames() {
  static const std::vector<std::string> names{"usedns", "prefregex", "ignoreregex", "failregex",
                                              "maxlines", "datepattern", "journalmatch"};
  return names;
}

bool IsFilterOption(std::string_view name) {
  for (const auto& n : FilterOptionNames())
    if (n == name) return true;
  return false;
}

// Where an option of the jail was written, for error messages.
Error At(const ConfigTree& tree, const std::string& jail, std::string_view option, std::string message) {
  const Value* raw = tree.FindRaw(jail, option);
  if (!raw) raw = tree.FindRaw(jail, "enabled");
  return Error{std::move(message), raw ? raw->file : "", raw ? raw->line : 0, ""};
}

// The options `names` of the jail section, interpolated; absent ones left out.
Result<OptionMap> GetOptions(const ConfigTree& tree, const std::string& jail,
                             const std::vector<std::string>& names) {
  OptionMap out;
  for (const std::string& name : names) {
    auto value = tree.Get(jail, name);
    if (!value) return Fail(value.error());
    if (*value) out.Set(name, **value);
  }
  return out;
}

std::vector<std::string> Glob(const std::string& pattern, std::vector<Error>& warnings) {
  std::vector<std::string> out;
  glob_t g{};
  if (glob(pattern.c_str(), 0, nullptr, &g) == 0) {
    for (size_t i = 0; i < g.gl_pathc; ++i) {
      struct stat st;
      if (stat(g.gl_pathv[i], &st) == 0) out.emplace_back(g.gl_pathv[i]);
      else warnings.push_back(Error{"File " + std::string(g.gl_pathv[i]) + " is a dangling link, thus cannot be monitored"});
    }
  }
  globfree(&g);
  return out;
}

// Reads one enabled jail.
class JailBuilder {
 public:
  JailBuilder(ConfigTree& tree, const JailsRequest& request, FileCache& cache, std::string name)
      : tree_(tree), request_(request), cache_(cache) {
    jail_.name = std::move(name);
  }

  Result<JailSpec> Build(const OptionMap& first) {
    if (const std::string* b = first.Find("backend")) jail_.backend = *b;
    const std::string* filter = first.Find("filter");
    std::optional<NameWithOptions> filter_name;
    if (filter && !filter->empty()) {
      auto parsed = ExtractOptions(*filter);
      if (!parsed) return Fail(At(tree_, jail_.name, "filter", "Invalid filter definition '" + *filter + "': " + parsed.error().message));
      filter_name = std::move(*parsed);
      if (auto ok = ReadFilterFirstPass(*filter_name, first); !ok) return Fail(ok.error());
    } else {
      jail_.warnings.push_back(At(tree_, jail_.name, "filter", "No filter set for jail " + jail_.name));
    }
    auto options = GetOptions(tree_, jail_.name, JailOptionNames());
    if (!options) return Fail(options.error());
    auto filter_options = GetOptions(tree_, jail_.name, FilterOptionNames());
    if (!filter_options) return Fail(filter_options.error());
    OptionMap all = *options;
    for (const auto& [k, v] : *filter_options) all.Set(k, v);
    if (filter_name) {
      if (auto ok = ReadFilterSecondPass(*filter_name, all, *filter_options); !ok) return Fail(ok.error());
    }
    Keep(*options);
    if (auto ok = ReadLogPaths(); !ok) return Fail(ok.error());
    if (auto ok = ReadActions(all); !ok) return Fail(ok.error());
    return std::move(jail_);
  }

 private:
  FilterRequest Request(const NameWithOptions& filter) const {
    FilterRequest r;
    r.basedir = request_.basedir;
    r.name = std::string(Strip(filter.name));
    r.options = filter.options;
    r.backend = jail_.backend;
    r.cache = &cache_;
    return r;
  }

  // Pass 1: the filter's options become known/<opt> of the jail (for %(known/failregex)s).
  Result<void> ReadFilterFirstPass(const NameWithOptions& filter, const OptionMap& first) {
    FilterRequest r = Request(filter);
    r.jail_options = first;
    r.all_definition_options = true;
    auto spec = ReadFilter(r);
    if (!spec) return Fail(At(tree_, jail_.name, "filter", "Unable to read the filter '" + r.name + "': " + spec.error().ToString()));
    tree_.MergeSection(jail_.name, spec->combined, "known/");
    return {};
  }

  // Pass 2: the filter read with every jail option visible; the jail's own
  // failregex/ignoreregex/… replace the filter's.
  Result<void> ReadFilterSecondPass(const NameWithOptions& filter, const OptionMap& all,
                                    const OptionMap& own) {
    FilterRequest r = Request(filter);
    r.jail_options = all;
    auto spec = ReadFilter(r);
    if (!spec) return Fail(At(tree_, jail_.name, "filter", "Unable to read the filter '" + r.name + "': " + spec.error().ToString()));
    for (const auto& [name, value] : own) Override(*spec, name, value);
    jail_.filter = std::move(*spec);
    return {};
  }

  std::vector<RegexLine> Lines(std::string_view option, const std::string& value) const {
    const Value* raw = tree_.FindRaw(jail_.name, option);
    std::vector<RegexLine> out;
    for (std::string& line : SplitOn(value, '\n'))
      if (!line.empty()) out.push_back(RegexLine{std::move(line), raw ? raw->file : "", raw ? raw->line : 0});
    return out;
  }

  void Override(FilterSpec& spec, const std::string& name, const std::string& value) const {
    const Value* raw = tree_.FindRaw(jail_.name, name);
    if (name == "failregex") spec.failregex = Lines(name, value);
    else if (name == "ignoreregex") spec.ignoreregex = Lines(name, value);
    else if (name == "prefregex") spec.prefregex = RegexLine{value, raw ? raw->file : "", raw ? raw->line : 0};
    else if (name == "datepattern") spec.datepattern = value;
    else if (name == "usedns") spec.usedns = value;
    else if (name == "maxlines") {
      try { spec.maxlines = std::stoi(value); } catch (...) {}
    } else if (name == "journalmatch") {
      spec.journalmatch.clear();
      for (std::string& line : SplitOn(value, '\n'))
        if (!line.empty()) spec.journalmatch.push_back(std::move(line));
    }
  }

  // The options the server gets as they are (JailReader.convert's `set` lines).
  void Keep(const OptionMap& options) {
    for (const auto& [name, value] : options) {
      if (name == "ignoreip") jail_.ignoreip = SplitWords(value);
      else if (name != "action" && name != "filter" && name != "enabled" && name != "logpath" &&
               name != "backend" && !IsFilterOption(name))
        jail_.options.Set(name, value);
    }
    if (const std::string* usedns = options.Find("usedns")) jail_.options.Set("usedns", *usedns);
  }

  Result<void> ReadLogPaths() {
    if (StartsWith(jail_.backend, "systemd")) return {};
    auto value = tree_.Get(jail_.name, "logpath");
    if (!value) return Fail(value.error());
    if (*value) {
      for (const std::string& line : SplitOn(**value, '\n')) {
        std::string path(Strip(line));
        if (path.empty()) continue;
        bool tail = false;
        if (size_t sp = path.rfind(' '); sp != std::string::npos) {
          std::string last = path.substr(sp + 1);
          if (last == "tail" || last == "head") {
            tail = last == "tail";
            path = std::string(Strip(path.substr(0, sp)));
          }
        }
        for (std::string& p : Glob(path, jail_.warnings)) jail_.logpaths.push_back(LogPath{std::move(p), tail});
      }
    }
    if (jail_.logpaths.empty() && !request_.allow_no_files)
      return Fail(At(tree_, jail_.name, "logpath", "Have not found any log file for " + jail_.name + " jail"));
    return {};
  }

  Result<void> ReadActions(const OptionMap& all) {
    const std::string* value = all.Find("action");
    if (!value) return {};
    for (const std::string& word : SplitWithOptions(*value)) {
      std::string act(Strip(word));
      if (act.empty()) continue;
      auto parsed = ExtractOptions(act);
      if (!parsed) return Fail(At(tree_, jail_.name, "action", "Invalid action definition '" + act + "': " + parsed.error().message));
      ActionRequest r{request_.basedir, std::string(Strip(parsed->name)), jail_.name, parsed->options, all, &cache_};
      auto spec = ReadAction(r);
      if (!spec) return Fail(At(tree_, jail_.name, "action", "Unable to read action '" + r.name + "': " + spec.error().ToString()));
      jail_.actions.push_back(std::move(*spec));
    }
    if (jail_.actions.empty())
      jail_.warnings.push_back(At(tree_, jail_.name, "action", "No actions were defined for " + jail_.name));
    return {};
  }

  ConfigTree& tree_;
  const JailsRequest& request_;
  FileCache& cache_;
  JailSpec jail_;
};

}  // namespace

Result<JailsConfig> ReadJails(const JailsRequest& request) {
  FileCache cache;
  auto tree = ConfigTree::Read(request.basedir, "jail", cache);
  if (!tree) return Fail(tree.error());
  OptionMap statics;
  statics.Set("fail2ban_version", kFail2banVersion);
  std::string base = request.basedir;
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  statics.Set("fail2ban_confpath", base);
  tree->MergeDefaults(statics);
  JailsConfig out;
  out.warnings = tree->warnings();
  for (const std::string& name : tree->Sections()) {
    if (request.only && name != *request.only) continue;
    auto first = GetOptions(*tree, name, {"enabled", "backend", "filter"});
    if (!first) {
      out.errors.push_back(first.error());
      continue;
    }
    if (!request.only && !ParseBool(first->Find("enabled") ? *first->Find("enabled") : "false")) continue;
    auto jail = JailBuilder(*tree, request, cache, name).Build(*first);
    if (jail) out.jails.push_back(std::move(*jail));
    else out.errors.push_back(jail.error());
  }
  if (request.only && out.jails.empty() && out.errors.empty())
    return Fail("Jail '" + *request.only + "' was not found among available");
  return out;
}

}  // namespace portcullis::config
