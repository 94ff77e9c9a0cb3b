#pragma once
// Python configparser's BasicInterpolation as fail2ban extends it: %(name)s looked up
// in the caller's vars, the section, then [DEFAULT]; %(__name__)s is the section;
// %(sec/opt)s reads the raw value of opt in sec ("known" = KNOWN/<section>, then
// DEFAULT; "default" = DEFAULT) and interpolates it in the current section; %% is '%'.
// Lazy: a [DEFAULT] value is resolved in the context of the section asking for it.

#include <optional>
#include <string>
#include <string_view>

#include "portcullis/base/error.h"
#include "portcullis/config/ini_file.h"
#include "portcullis/config/options.h"

namespace portcullis::config {

class Interpolator {
 public:
  static constexpr int kMaxDepth = 10;

  Interpolator(const IniFile& store, std::string_view section, const OptionMap& vars)
      : store_(store), section_(section), vars_(vars) {}

  // configparser's get(section, option, vars=vars): nullopt when the section (other
  // than DEFAULT) or the option is absent. Errors name the option's file:line.
  Result<std::optional<std::string>> Get(std::string_view option) const;
  // Interpolates `raw` as if it were the value of `option`.
  Result<std::string> Interpolate(std::string_view option, const std::string& raw) const;

 private:
  std::optional<std::string> Lookup(const std::string& var) const;
  std::optional<std::string> LookupSectionOption(const std::string& var) const;
  Result<void> Expand(std::string_view option, std::string_view rest, int depth,
                      std::string& out) const;
  Error Located(Error error, std::string_view option) const;

  const IniFile& store_;
  std::string_view section_;
  const OptionMap& vars_;
};

}  // namespace portcullis::config
