#include "portcullis/action/static_tags.h"

#include "portcullis/config/tags.h"
#include "tag_scan.h"

namespace portcullis::action {

namespace {

// CommandAction._escapedTags: values out of the action author's control.
const std::set<std::string, std::less<>>& EscapedTags() {
  static const std::set<std::string, std::less<>> tags = {"matches", "ipmatches", "ipjailmatches"};
  return tags;
}

constexpr std::string_view kShellSpecials = "\\#&;`|*?~<>^()[]{}$'\"\n\r";

// ADD_REPL_TAGS: what an unknown tag falls back to.
std::optional<std::string> AdditionalTag(std::string_view name, const StaticTagOptions& options) {
  if (name == "br") return "\n";
  if (name == "sp") return " ";
  if (name == "fq-hostname") return options.fq_hostname;
  if (name == "sh-hostname") return options.sh_hostname;
  return std::nullopt;
}

std::string ReplaceOnce(std::string_view query, const config::OptionMap& tags, const StaticTagOptions& options) {
  return SubstituteTags(query, [&](std::string_view name, std::string_view whole) -> std::string {
    const std::string* value = nullptr;
    if (!options.conditional.empty()) value = tags.Find(std::string(name) + "?" + options.conditional);
    if (!value) value = tags.Find(name);
    if (!value) return AdditionalTag(name, options).value_or(std::string(whole));
    return EscapedTags().contains(name) ? EscapeTag(*value) : *value;
  });
}

}  // namespace

std::string EscapeTag(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (kShellSpecials.find(c) == std::string_view::npos) {
      out += c;
      continue;
    }
    out += '\\';
    out += c == '\n' ? 'n' : c == '\r' ? 'r' : c;
  }
  return out;
}

Result<std::string> ReplaceTag(std::string_view query, const config::OptionMap& properties,
                               const StaticTagOptions& options) {
  if (query.find('<') == std::string_view::npos) return std::string(query);
  config::TagOptions tag_options;
  tag_options.ignore = EscapedTags();
  tag_options.conditional = options.conditional;
  auto tags = config::SubstituteRecursiveTags(properties, tag_options);
  if (!tags) return Fail(tags.error());
  std::string current(query);
  for (int passes_left = config::kMaxTagReplaceCount + 1;;) {
    std::string next = ReplaceOnce(current, *tags, options);
    if (next == current || next.find('<') == std::string::npos) return next;
    current = std::move(next);
    if (--passes_left <= 0) {
      return Fail("unexpected too long replacement interpolation, possible self referencing definitions in query",
                  "", 0, current);
    }
  }
}

}  // namespace portcullis::action
