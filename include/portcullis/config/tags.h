#pragma once
// fail2ban's recursive <tag> substitution (helpers.substituteRecursiveTags), used for
// filter and action definitions and, at ban time, for action commands.
//
//   a = 3           ->  a = 3
//   b = <a>_3       ->  b = 3_3
//   c = <x-<a>>     ->  <x-3> is looked up next, so tags may nest
//
// A tag is `<name>` with no space or angle bracket inside. Each value is scanned; a tag
// whose name is a key of the map (or that the fallback lookup resolves) is replaced
// everywhere in that value and scanning restarts where it was found. Unknown tags
// (<HOST>, <ip>, <F-USER>) stay as written. Substitution repeats until nothing
// changes. A value referring to itself, or one tag replaced more than 25 times in a
// value, is the error "properties contain self referencing definitions ...".

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "portcullis/base/error.h"
#include "portcullis/config/options.h"

namespace portcullis::config {

// Looks up a tag that is not a key of the map (fail2ban's `addrepl`, e.g. get_ex on
// the [Definition] section); nullopt when unknown. An error aborts substitution.
using TagLookup = std::function<Result<std::optional<std::string>>(std::string_view tag)>;

struct TagOptions {
  // Keys left unsubstituted, and tags never replaced (the action's dynamic tags).
  std::set<std::string, std::less<>> ignore;
  // When set, <t> prefers key "t?<conditional>" (e.g. "family=inet6").
  std::string conditional;
  TagLookup fallback;
};

inline constexpr int kMaxTagReplaceCount = 25;

// Substitutes tags in every value of `tags`. Errors: self reference (the message
// names the key, the tag and the value; `failed_key`, when given, receives the key),
// or an error of the fallback lookup.
Result<OptionMap> SubstituteRecursiveTags(const OptionMap& tags, const TagOptions& options = {},
                                          std::string* failed_key = nullptr);

}  // namespace portcullis::config
