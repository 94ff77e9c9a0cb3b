#pragma once
// Reading jails, as fail2ban's JailReader does: every section of the merged `jail`
// config (jail.conf, jail.d/*.conf, jail.local, jail.d/*.local with their includes)
// is a jail; the enabled ones are read with their filter (filter.d, `name[opt=val]`,
// logtype from the backend), their log paths (globs expanded) and their actions
// (action.d, `banaction`/`action_` macros). A jail whose configuration is wrong is
// reported with the file and line at fault and left out; the others still load —
// fail2ban instead gives up on the whole configuration when one jail has no log file.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portcullis/base/error.h"
#include "portcullis/config/action_reader.h"
#include "portcullis/config/filter_reader.h"
#include "portcullis/config/options.h"

namespace portcullis::config {

struct LogPath {
  std::string path;
  bool tail = false;  // "path tail": start at the end of the file
};

struct JailSpec {
  std::string name;
  std::string backend = "auto";
  // The filter with the jail's own failregex/ignoreregex/… applied; nullopt when the
  // jail sets no filter (fail2ban warns "No filter set").
  std::optional<FilterSpec> filter;
  // The jail options fail2ban sends to its server, interpolated, only those set:
  // maxretry, maxmatches, findtime, bantime, bantime.*, ignorecommand, ignoreself,
  // ignorecache, logtimezone, logencoding, usedns …
  OptionMap options;
  std::vector<std::string> ignoreip;  // split on blanks and commas
  std::vector<LogPath> logpaths;      // globs expanded, dangling links dropped
  std::vector<ActionSpec> actions;
  std::vector<Error> warnings;        // did not stop the jail (no filter, no actions, …)
};

struct JailsConfig {
  std::vector<JailSpec> jails;   // the enabled jails that loaded, in config order
  std::vector<Error> errors;     // enabled jails left out, each naming file and line
  std::vector<Error> warnings;   // of the config as a whole (missing includes, …)
};

struct JailsRequest {
  std::string basedir = "/etc/fail2ban";
  // Read only this jail (enabled or not), e.g. for `reload JAIL`.
  std::optional<std::string> only;
  // Accept a jail without any log file (tests, fail2ban-client -d).
  bool allow_no_files = false;
};

// Reads the jails. Fails only when the jail config as a whole cannot be read (no
// jail.conf, a malformed file); per-jail problems are in JailsConfig::errors.
Result<JailsConfig> ReadJails(const JailsRequest& request);

}  // namespace portcullis::config
