#pragma once
// The Python expressions sample annotations use as conditions ("constraint",
// "test.condition"): comparisons of `name` and `opts.get('key')` with string
// literals, joined by and/or/not and parentheses.

#include <string_view>

#include "portcullis/base/error.h"
#include "portcullis/config/options.h"

namespace portcullis::samples {

// Evaluates `expression` for the filter `name` with options `opts`. Error for
// anything outside the subset, naming the unexpected text.
Result<bool> EvaluateCondition(std::string_view expression, std::string_view name,
                               const config::OptionMap& opts);

}  // namespace portcullis::samples
