#include "portcullis/action/shell_command.h"

#include <utility>

#include "tag_scan.h"

namespace portcullis::action {

namespace {

constexpr std::string_view kShellSpecials = "\\#&;`|*?~<>^()[]{}$'\"\n\r";

bool IsWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// failregex.mapTag2Opt: lower case, id -> fid, port -> fport.
std::string DataKey(std::string_view name) {
  std::string key;
  for (char c : name) key += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  if (key == "id") return "fid";
  if (key == "port") return "fport";
  return key;
}

// The f2bV_ variables of one command, in the order fail2ban's dict keeps them.
class Variables {
 public:
  // The value itself, or "$f2bV_<tag>" when it holds a shell metacharacter.
  std::string Escape(std::string_view tag, const std::string& value) {
    if (value.find_first_of(kShellSpecials) == std::string::npos) return value;
    std::string name = "f2bV_";
    for (char c : tag) name += IsWordChar(c) ? c : '_';
    Add(name, value);
    return "$" + name;
  }

  ShellCommand Build(std::string command) && {
    if (vars_.empty()) return {std::move(command), {}};
    ShellCommand out;
    for (size_t i = 0; i < vars_.size(); ++i) {
      out.script += vars_[i].first + "=$" + std::to_string(i) + " ";
      out.args.push_back(std::move(vars_[i].second));
    }
    out.script += "\n" + command;
    return out;
  }

 private:
  void Add(const std::string& name, const std::string& value) {
    for (auto& [n, v] : vars_) {
      if (n == name) {
        v = value;
        return;
      }
    }
    vars_.emplace_back(name, value);
  }

  std::vector<std::pair<std::string, std::string>> vars_;
};

}  // namespace

std::vector<std::string> ShellCommand::Argv() const {
  std::vector<std::string> argv = {"/bin/sh", "-c", script};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

ShellCommand ReplaceDynamicTags(std::string_view command, const ActionInfo& info) {
  Variables vars;
  std::string out = SubstituteTags(command, [&](std::string_view name, std::string_view whole) -> std::string {
    if (const std::string* value = info.Find(name)) return vars.Escape(name, *value);
    if (name == "br") return "\n";
    if (name == "sp") return " ";
    return std::string(whole);
  });
  if (info.has_ticket() && out.find('<') != std::string::npos) {
    out = SubstituteDataTags(out, [&](std::string_view name) -> std::string {
      const std::string key = DataKey(name);
      const std::string* value = info.FindData(key);
      return value ? vars.Escape("F_" + key, *value) : std::string();
    });
  }
  return std::move(vars).Build(std::move(out));
}

Result<ShellCommand> BuildActionCommand(std::string_view command, const config::OptionMap& properties,
                                        const ActionInfo& info, StaticTagOptions options) {
  options.conditional = info.family().empty() ? "" : "family=" + info.family();
  auto replaced = ReplaceTag(command, properties, options);
  if (!replaced) return Fail(replaced.error());
  return ReplaceDynamicTags(*replaced, info);
}

ShellCommand BuildIgnoreCommand(std::string_view ignorecommand, const ActionInfo& info) {
  return ReplaceDynamicTags(ignorecommand, info);
}

}  // namespace portcullis::action
