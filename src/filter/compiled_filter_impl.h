#pragma once
// Private: what a CompiledFilter holds.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "portcullis/filter/filter.h"
#include "portcullis/regex/fail_regex.h"

namespace portcullis::filter {

// A compiled fail2ban regex and its named groups in definition order (Python's
// groupdict order).
struct CompiledRegex {
  regex::FailRegex regex;
  std::vector<std::pair<std::string, int>> groups_by_index;
  std::string expanded;  // after tag expansion (what fail2ban lists)
};

struct CompiledFilter::Impl {
  FilterConfig config;
  std::optional<CompiledRegex> prefregex;
  std::vector<CompiledRegex> failregex;
  std::vector<CompiledRegex> ignoreregex;
};

}  // namespace portcullis::filter
