#pragma once
// fail2ban's configuration, read the way fail2ban reads it.
//
// A logical config name ("jail", "fail2ban", "filter.d/sshd", "action.d/iptables")
// under a base folder expands to NAME.conf, NAME.d/*.conf, NAME.local, NAME.d/*.local;
// each file brings its [INCLUDES] before/after files (relative to the including file,
// each with its own .local). The files are parsed with Python configparser's rules as
// fail2ban configures them (see ini_file.h) and merged in order: later values win,
// overwritten values are kept under the hidden section "KNOWN/<section>", conditional
// sections [Name?family=inet6] merge into Name as "key?family=inet6".
//
// Values are interpolated lazily on Get(): %(name)s from the caller's vars, then the
// section, then [DEFAULT]; %(__name__)s is the section asked for; %(known/x)s and
// %(default/x)s; %% is a percent sign. Every error names the file and line.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portcullis/base/error.h"
#include "portcullis/config/ini_file.h"
#include "portcullis/config/options.h"

namespace portcullis::config {

// Value (a raw value with where it was written) is declared in ini_file.h.

class ConfigTree {
 public:
  // Reads logical config `name` under `basedir`. Errors: "Found no accessible config
  // files for '<name>' under <basedir>" (fail2ban's words) when none of the files
  // exist, "Base configuration directory <basedir> does not exist"; parse errors and
  // errors in [INCLUDES] name file:line. Missing included files contribute nothing.
  static Result<ConfigTree> Read(std::string_view basedir, std::string_view name);
  // Reads one explicit file with its includes (a filter file outside any config folder).
  static Result<ConfigTree> ReadFile(std::string_view path);
  // The same, parsing each file at most once across reads through `cache`.
  static Result<ConfigTree> Read(std::string_view basedir, std::string_view name,
                                 FileCache& cache);
  static Result<ConfigTree> ReadFile(std::string_view path, FileCache& cache);

  ConfigTree(ConfigTree&&) noexcept;
  ConfigTree& operator=(ConfigTree&&) noexcept;
  ~ConfigTree();

  // The files read, in merge order.
  const std::vector<std::string>& files() const;
  // Problems that did not stop the read, each naming file and line: an [INCLUDES]
  // entry that names no file (fail2ban says nothing; a missing .local is normal and
  // not reported).
  const std::vector<Error>& warnings() const;

  bool HasSection(std::string_view section) const;
  // Section names in order of first appearance: without DEFAULT, INCLUDES and KNOWN/*.
  std::vector<std::string> Sections() const;
  // Option names of `section` (lower-case), then those only in [DEFAULT] when asked.
  std::vector<std::string> Options(std::string_view section, bool with_defaults) const;

  // The raw value of `option` in `section`, else in [DEFAULT]; nullptr when absent.
  const Value* FindRaw(std::string_view section, std::string_view option) const;
  // The raw value of `option` written in `section` itself (not [DEFAULT]).
  const Value* FindOwnRaw(std::string_view section, std::string_view option) const;

  // The interpolated value of `option` in `section` (falling back to [DEFAULT]), with
  // `vars` taking precedence in %(..)s lookups. nullopt when the option is absent.
  // Errors: a %(x)s that cannot be resolved or loops (depth > 10), a lone '%'.
  Result<std::optional<std::string>> Get(std::string_view section, std::string_view option,
                                         const OptionMap& vars = {}) const;

  // fail2ban's get_ex, used for <sec/opt> tags: "known/opt" reads KNOWN/<section> then
  // <section>; "default/opt" reads [DEFAULT]; "sec/opt" reads section sec; a name
  // without '/' is Get(section, option).
  Result<std::optional<std::string>> GetEx(std::string_view section, std::string_view option,
                                           const OptionMap& vars = {}) const;

  // fail2ban's merge_defaults: adds or replaces [DEFAULT] options (the jail reader's
  // static fail2ban_version / fail2ban_confpath), before any Get.
  void MergeDefaults(const OptionMap& options);
  // fail2ban's merge_section: adds options to `section` (created when absent), each
  // name prefixed with `prefix` unless it already starts with it.
  void MergeSection(std::string_view section, const OptionMap& options,
                    std::string_view prefix = {});

  // All merged sections, including the hidden KNOWN/* ones.
  const IniFile& merged() const;

 private:
  struct Impl;
  explicit ConfigTree(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace portcullis::config
