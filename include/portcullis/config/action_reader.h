#pragma once
// Reading an action.d file into plain values, as fail2ban's ActionReader does: the
// [Definition] commands (actionstart, actionban, ...) with the action options
// (`iptables[port=ssh, chain=INPUT]`), the jail's options and the file's [Init] visible
// to %(..)s and <tag> substitution. Tags that only the running action knows (<ip>,
// <matches>, <bantime>, ...) stay in the commands; so do tags with conditional variants
// ([Init?family=inet6] -> "blocktype?family=inet6"), resolved per address family later.

#include <optional>
#include <string>
#include <vector>

#include "portcullis/base/error.h"
#include "portcullis/config/ini_file.h"
#include "portcullis/config/options.h"

namespace portcullis::config {

struct ActionRequest {
  std::string basedir;   // the config folder: files are <basedir>/action.d/<name>.conf ...
  std::string name;      // the action file name, e.g. "iptables-multiport" (or "smtp.py")
  std::string jail;      // the jail the action belongs to (default for the `name` option)
  OptionMap options;     // from `name[opt=val]`
  OptionMap jail_options;  // the jail's options, visible to %(..)s
  FileCache* cache = nullptr;  // shares parsed files between reads; nullptr: private
};

struct ActionSpec {
  std::string name;     // the file name as requested
  // The action's id inside the jail: the file name, suffixed when the `name` option
  // differs from the jail (jail sshd, iptables[name=SSH] -> "iptables-SSH").
  std::string actname;
  std::vector<std::string> files;  // files read, in merge order
  // A Python action (name ends ".py"): recognised but not loaded; `path` is its file.
  bool python = false;
  std::string path;
  // The substituted [Definition] commands fail2ban knows (actionstart ... norestored),
  // in fail2ban's order, and the batch commands when the file has them.
  OptionMap definition;
  // The init options sent along raw (without known/*), conditional keys included:
  // name, actname, port, chain, "blocktype?family=inet6", ...
  OptionMap init;
  // Every option after substitution (definition, init and known/*).
  OptionMap combined;
  // Tags left for the running action (not substituted here): matches, ipmatches,
  // ipjailmatches, timeout, bantime and the base names of conditional options.
  std::vector<std::string> dynamic_tags;
  std::optional<bool> actionstart_on_demand;
  std::optional<bool> actionrepair_on_unban;
  std::optional<bool> norestored;
};

// The option names ActionReader reads from [Definition], in fail2ban's order, then
// portcullis's actionban_batch and actionunban_batch (see action/command_action.h),
// which fail2ban's reader skips as unknown keys.
const std::vector<std::string>& ActionOptionNames();

// Reads and substitutes an action. Errors name file and line: missing file ("Found no
// accessible config files for 'action.d/x' under B"), malformed INI, interpolation
// loops, self-referencing tags.
Result<ActionSpec> ReadAction(const ActionRequest& request);

}  // namespace portcullis::config
