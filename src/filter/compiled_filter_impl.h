#pragma once
// Private: what a CompiledFilter holds.

#include <array>
#include <cstdint>
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
  // Per first byte of the searched text, the failregexes that may match it (entry
  // 256 * i + byte: failregex i); a filter has dozens of ^-anchored failregexes and a
  // line fits few. Bytes, not bits: read for every failregex of every line.
  std::vector<uint8_t> fail_may_start;
  bool MayStart(size_t failregex, char first) const {
    return fail_may_start[256 * failregex + static_cast<unsigned char>(first)] != 0;
  }
};

}  // namespace portcullis::filter
