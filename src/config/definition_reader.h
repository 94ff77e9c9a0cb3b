#pragma once
// fail2ban's DefinitionInitConfigReader: the part filter and action readers share.
// A file's [Definition] options are read with the jail's options and the `name[...]`
// options visible to %(..)s; [Init] options become init options (and known/<opt>);
// the combined map then goes through <tag> substitution.

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "portcullis/base/error.h"
#include "portcullis/config/config_tree.h"
#include "portcullis/config/options.h"

namespace portcullis::config {

class DefinitionReader {
 public:
  static constexpr std::string_view kDefinition = "Definition";
  static constexpr std::string_view kInit = "Init";

  DefinitionReader(const ConfigTree& tree, OptionMap init_options)
      : tree_(tree), init_(std::move(init_options)) {}

  OptionMap& init_options() { return init_; }
  const OptionMap& init_options() const { return init_; }
  // The jail options overlaid by the init options (fail2ban's pOpts).
  const OptionMap& p_options() const { return p_opts_; }
  // Keys left out of substitution: the given ones plus the base names of conditional keys.
  const std::set<std::string, std::less<>>& ignored() const { return ignored_; }

  // getOptions(pOpts, all): reads `names` from [Definition] unless the jail/init
  // options hold them, then the [Init] options; `all` adds every [Definition] option.
  Result<void> GetOptions(const OptionMap& jail_options, const std::vector<std::string>& names,
                          bool all);
  // getCombined(ignore): definition options overlaid by init options, substituted.
  Result<OptionMap> GetCombined(const std::set<std::string, std::less<>>& ignore);

  // Where option `name` of the combined map was written: in [Init] or [Definition];
  // nullptr when it came from the caller's options or is unknown.
  const Value* Locate(std::string_view name, const OptionMap& caller_options) const;
  // The section `Locate` found the option in.
  std::string_view SectionOf(std::string_view name) const;

 private:
  Result<void> ReadInit();
  Result<void> ReadAllDefinition();

  const ConfigTree& tree_;
  OptionMap init_;
  OptionMap opts_;
  OptionMap p_opts_;
  std::set<std::string, std::less<>> ignored_;
};

}  // namespace portcullis::config
