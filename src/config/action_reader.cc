#include "portcullis/config/action_reader.h"

#include "config/definition_reader.h"
#include "config/text.h"
#include "portcullis/config/config_tree.h"

namespace portcullis::config {

const std::vector<std::string>& ActionOptionNames() {
  static const std::vector<std::string> names{
      "actionstart",  "actionstart_on_demand", "actionstop",    "actionflush",
      "actionreload", "actioncheck",           "actionrepair",  "actionrepair_on_unban",
      "actionban",    "actionprolong",         "actionreban",   "actionunban",
      "norestored",
      // portcullis's own: one command for many addresses (fail2ban ignores the keys)
      "actionban_batch", "actionunban_batch"};
  return names;
}

namespace {

// CommandAction._escapedTags plus the two ActionReader.convert adds.
const std::set<std::string, std::less<>>& DynamicTags() {
  static const std::set<std::string, std::less<>> tags{"matches", "ipmatches", "ipjailmatches",
                                                       "timeout", "bantime"};
  return tags;
}

bool IsActionOption(std::string_view name) {
  for (const std::string& known : ActionOptionNames()) {
    if (known == name) return true;
  }
  return false;
}

// ActionReader.__init__: `name` defaults to the jail, `actname` to the file name
// made unique for the jail.
OptionMap InitOptions(const ActionRequest& request) {
  OptionMap init = request.options;
  if (!init.Contains("name")) init.Set("name", request.jail);
  if (!init.Contains("actname")) {
    const std::string& name = *init.Find("name");
    std::string actname = request.name;
    if (name != request.jail) {
      actname += StartsWith(name, request.jail) ? name.substr(request.jail.size()) : "-" + name;
    }
    init.Set("actname", actname);
  }
  return init;
}

std::optional<bool> BoolOption(const OptionMap& combined, std::string_view name) {
  const std::string* v = combined.Find(name);
  if (!v) return std::nullopt;
  return ParseBool(*v);
}

ActionSpec PythonAction(const ActionRequest& request) {
  ActionSpec spec;
  spec.name = request.name;
  spec.python = true;
  const std::string* actname = request.options.Find("actname");
  spec.actname = actname ? *actname : request.name.substr(0, request.name.size() - 3);
  std::string base = request.basedir;
  while (!base.empty() && base.back() == '/') base.pop_back();
  spec.path = base + "/action.d/" + request.name;
  spec.init = request.options;
  spec.init.Erase("actname");
  return spec;
}

void FillStreamOptions(ActionSpec& spec, const OptionMap& init) {
  for (const auto& [name, value] : spec.combined) {
    if (IsActionOption(name)) spec.definition.Set(name, value);
  }
  for (const auto& [name, value] : init) {
    if (!IsActionOption(name) && !StartsWith(name, "known/")) spec.init.Set(name, value);
  }
  spec.actionstart_on_demand = BoolOption(spec.combined, "actionstart_on_demand");
  spec.actionrepair_on_unban = BoolOption(spec.combined, "actionrepair_on_unban");
  spec.norestored = BoolOption(spec.combined, "norestored");
}

}  // namespace

Result<ActionSpec> ReadAction(const ActionRequest& request) {
  if (EndsWith(request.name, ".py")) return PythonAction(request);
  FileCache local;
  FileCache& cache = request.cache ? *request.cache : local;
  auto tree = ConfigTree::Read(request.basedir, "action.d/" + request.name, cache);
  if (!tree) return Fail(tree.error());
  DefinitionReader reader(*tree, InitOptions(request));
  if (auto ok = reader.GetOptions(request.jail_options, ActionOptionNames(), false); !ok) {
    return Fail(ok.error());
  }
  auto combined = reader.GetCombined(DynamicTags());
  if (!combined) return Fail(combined.error());
  ActionSpec spec;
  spec.name = request.name;
  spec.actname = *reader.init_options().Find("actname");
  spec.files = tree->files();
  spec.combined = std::move(*combined);
  spec.dynamic_tags.assign(reader.ignored().begin(), reader.ignored().end());
  FillStreamOptions(spec, reader.init_options());
  return spec;
}

}  // namespace portcullis::config
