#pragma once
// Private: what a CompiledFilter holds.

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
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
  // Whether an alt_/tuple_ group folds into mlfid or mlfforget: HitData then cannot tell
  // a hit's mlfid from its groups (regex.groups().mlfid/.mlfforget) alone.
  bool folds_mlf = false;
  // The named groups a count-only hit keeps (Filter::set_failure_data(false)): those the
  // filter itself reads (IsFilterKey), in definition order. A None is kept only where it
  // overrides a prefregex group of the same name (fail2ban's dict update); elsewhere a
  // None reads as an absent key.
  struct CountedGroup {
    std::string name;
    int index;
    bool keep_none;
  };
  std::vector<CountedGroup> counted_groups;
};

// The keys of a hit's data the filter reads to decide its failures (AddFailures and
// the mlfid merge): a count-only hit's outcome rests on these alone. A key read there
// must be listed here.
inline bool IsFilterKey(std::string_view key) {
  for (std::string_view k : {"fid", "ip4", "ip6", "cidr", "dns", "ip", "mlfid", "mlfforget", "mlfgained",
                             "mlfpending", "nofail", "nofail-matches", "matches", "user", "users"})
    if (k == key) return true;
  return false;
}

struct CompiledFilter::Impl {
  FilterConfig config;
  std::optional<CompiledRegex> prefregex;
  std::vector<CompiledRegex> failregex;
  std::vector<CompiledRegex> ignoreregex;
  // Per first byte of the searched text, the failregexes that may match it, in order:
  // fail_candidates[fail_first[b], fail_first[b + 1]). A filter has dozens of
  // ^-anchored failregexes and a line fits few; testing each for each line was a branch
  // the processor mostly guessed wrong.
  std::array<uint32_t, 257> fail_first{};
  std::vector<uint32_t> fail_candidates;
  // The failregexes from `from` on that may match a text beginning with `first`.
  std::span<const uint32_t> Candidates(char first, uint32_t from = 0) const {
    const auto b = static_cast<unsigned char>(first);
    const uint32_t* begin = fail_candidates.data() + fail_first[b];
    const uint32_t* end = fail_candidates.data() + fail_first[b + 1];
    return {from ? std::lower_bound(begin, end, from) : begin, end};
  }
};

}  // namespace portcullis::filter
