#pragma once
// What one line of a `datepattern` stands for (datedetector.py `appendTemplate`,
// `_getPatternTemplate`, `addDefaultTemplate`): fail2ban's default templates, a
// line-begin subset of them, {DATE} expanded with each default, {NONE}, EPOCH/LEPOCH/
// TAI64N in their forms, or a strptime-style pattern.

#include <memory>
#include <string_view>
#include <vector>

#include "date/date_template.h"
#include "portcullis/base/error.h"

namespace portcullis::date {

using TemplatePtr = std::shared_ptr<const DateTemplate>;

// The 17 base patterns in fail2ban's order (DEFAULT_TEMPLATES).
const std::vector<std::string_view>& DefaultPatterns();

// fail2ban's 31 default templates (a {^LN-BEG} copy of weight 100 of each base
// template not yet anchored, then the 17 base ones), compiled once per process and
// `%ExY` range. Error only when a regex does not compile.
Result<std::vector<TemplatePtr>> DefaultTemplates(std::string_view exact_year);

// A single pattern: EPOCH, LEPOCH, TAI64N with their `{^LN-BEG}` / `^` forms, a regex
// with {EPOCH} / {LEPOCH}, or a strptime-style pattern.
// `deferred`: a strptime pattern's regex is compiled on first use (for the defaults).
Result<TemplatePtr> TemplateForPattern(std::string_view pattern, std::string_view exact_year, bool deferred = false);

// Whether `key` is the cache key of one of the 14 {^LN-BEG} copies among the defaults.
// fail2ban shares one template object per key, so a datepattern line with such a key
// gets the copy's weight 100 once the defaults are in use.
bool IsAnchoredDefaultKey(std::string_view key);

struct Expansion {
  std::vector<TemplatePtr> templates;
  bool from_defaults = false;  // duplicates are skipped, not an error, when appended
  bool all_defaults = false;   // {DEFAULT} / {^LN-BEG}: the 31 defaults are in use
};

// The templates one (stripped, non-empty) datepattern line stands for.
Result<Expansion> ExpandDatePattern(std::string_view line, std::string_view exact_year);

}  // namespace portcullis::date
