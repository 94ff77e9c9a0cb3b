#pragma once
// Time-zone names and offsets as fail2ban reads them (strptime.py `zone2offset`,
// `validateTimeZone`): an optional abbreviation from a fixed table (CET, PDT, military
// letters ...) followed by an optional offset `+hh`, `+hhmm` or `+hh:mm`. Offsets are
// fixed: CET never turns into CEST.

#include <optional>
#include <string_view>

#include "portcullis/base/error.h"

namespace portcullis::date {

// Minutes east of UTC for `zone` (e.g. "UTC" 0, "CET+0130" 150, "-10:45" -645).
// nullopt when the text is not `ABBR?([+-]hh(:?mm)?)?` or the abbreviation is unknown
// (fail2ban raises there; a line with such a zone gets no time).
std::optional<int> ZoneOffsetMinutes(std::string_view zone);

// Validates a `logtimezone` value and returns its offset in minutes.
// Error: "Unknown or unsupported time zone: '<tz>'".
Result<int> ParseLogTimeZone(std::string_view tz);

}  // namespace portcullis::date
