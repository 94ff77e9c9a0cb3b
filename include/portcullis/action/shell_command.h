#pragma once
// Building the command an action runs, with values from the log kept out of the script:
// fail2ban's CommandAction.replaceDynamicTags and Utils.buildShellCmd.
//
// A dynamic tag (<ip>, <matches>, <F-USER>, ...) whose value holds any of
//   \ # & ; ` | * ? ~ < > ^ ( ) [ ] { } $ ' " newline carriage-return
// is not written into the script. It becomes a shell variable, f2bV_<tag> (characters
// other than letters, digits and _ become _, <F-NAME> is f2bV_F_<name>), whose value is
// a separate argument of sh -c:
//
//   echo <ip> <matches> <F-USER>        matches = "line $1 \"a\"\nline2", user = "root;rm"
//   -> argv {"/bin/sh", "-c",
//            "f2bV_matches=$0 f2bV_F_user=$1 \necho 192.0.2.1 $f2bV_matches $f2bV_F_user",
//            "line $1 \"a\"\nline2", "root;rm"}
//
// Other values are inlined as they are (spaces included, exactly as fail2ban does).
// Substitution is one pass: a value is never scanned for tags again.

#include <string>
#include <string_view>
#include <vector>

#include "portcullis/action/action_info.h"
#include "portcullis/action/static_tags.h"
#include "portcullis/base/error.h"
#include "portcullis/config/options.h"

namespace portcullis::action {

// A command ready to execve as /bin/sh -c.
struct ShellCommand {
  std::string script;              // what sh -c runs
  std::vector<std::string> args;   // $0, $1, ...: the values of the f2bV_ variables

  // {"/bin/sh", "-c", script, args...}
  std::vector<std::string> Argv() const;
  bool operator==(const ShellCommand&) const = default;
};

// Replaces the dynamic tags of `command` from `info`: first every <tag> that `info`
// knows (<br> and <sp> as newline and space; unknown tags stay), then, when `info` has
// a ticket, every <F-NAME> with the ticket data lower(NAME) (F-ID -> fid, F-PORT ->
// fport; missing data -> empty).
ShellCommand ReplaceDynamicTags(std::string_view command, const ActionInfo& info);

// The command an action runs for one operation (CommandAction._processCmd): `command`
// (e.g. "<actionban>") with the action's properties substituted for info's family
// ("family=inet6" conditional), then the dynamic tags. Errors: those of ReplaceTag.
Result<ShellCommand> BuildActionCommand(std::string_view command, const config::OptionMap& properties,
                                        const ActionInfo& info, StaticTagOptions options = {});

// A jail's ignorecommand for a failure (Filter.inIgnoreIPList): the same escaping, with
// info from the failure's ticket, or ActionInfo::ForIp when there is none.
ShellCommand BuildIgnoreCommand(std::string_view ignorecommand, const ActionInfo& info);

}  // namespace portcullis::action
