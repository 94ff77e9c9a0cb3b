#pragma once
// Private: what a CompiledFilter holds.

#include <array>
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
  // Per first byte of the searched text, the failregexes that may match it (entry i:
  // failregex i); a filter has dozens of ^-anchored failregexes and a line fits few.
  std::array<std::vector<bool>, 256> fail_may_start;
};

}  // namespace portcullis::filter
