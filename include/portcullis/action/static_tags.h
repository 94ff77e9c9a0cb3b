#pragma once
// Replacing an action's own options in its commands: fail2ban's CommandAction.replaceTag.
//
//   properties: actionban = <iptables> -I f2b-<name> 1 -s <ip> -j <blocktype>
//               iptables = iptables <lockingopt>    iptables?family=inet6 = ip6tables <lockingopt>
//               name = sshd   blocktype = REJECT
//   ReplaceTag("<actionban>", properties, {.conditional = "family=inet6"})
//     == "ip6tables -w -I f2b-sshd 1 -s <ip> -j REJECT"
//
// The properties are first substituted among themselves (config/tags.h, with the
// conditional variant `tag?family=...` preferred), then the query is rewritten until it
// stops changing. Unknown tags (<ip>, <F-USER>) stay for ReplaceDynamicTags; <br> is a
// newline and <sp> a space. The properties matches, ipmatches and ipjailmatches, should
// an action define them, are inserted with shell metacharacters backslash-escaped.

#include <optional>
#include <string>
#include <string_view>

#include "portcullis/base/error.h"
#include "portcullis/config/options.h"

namespace portcullis::action {

struct StaticTagOptions {
  // "family=inet4", "family=inet6", or "" for actions without conditional options.
  std::string conditional;
  // <fq-hostname> and <sh-hostname>; the tags stay as written when unset.
  std::optional<std::string> fq_hostname;
  std::optional<std::string> sh_hostname;
};

// The command `query` with the action's options substituted. Errors: the properties'
// self references (SubstituteRecursiveTags's error), and "unexpected too long replacement
// interpolation, possible self referencing definitions in query" (fragment: the query)
// when the query still changes after 26 passes.
Result<std::string> ReplaceTag(std::string_view query, const config::OptionMap& properties,
                               const StaticTagOptions& options = {});

// fail2ban's escapeTag: a backslash before each of \ # & ; ` | * ? ~ < > ^ ( ) [ ] { } $ ' "
// and "\n" / "\r" as the two characters \n / \r.
std::string EscapeTag(std::string_view value);

}  // namespace portcullis::action
