#pragma once
// fail2ban's time values (bantime, findtime, dbpurgeage, ...): MyTime.str2seconds
// and seconds2str.
//
//   ParseDuration("10m")         == 600        (m is minutes, also "1M")
//   ParseDuration("1mo")         == 2629800    (a month is 365.25 days / 12)
//   ParseDuration("1d12h")       == 129600     ("1d 12h": parts side by side add up)
//   ParseDuration("1hour+30min") == 5400
//   ParseDuration("1d-1h")       == 82800
//   ParseDuration("-1")          == -1         (bantime: forever)
//   FormatDuration(86400 * 2 + 3600 * 7 + 60 * 15) == "2d 7h 15m"
//
// Units (case-insensitive, after a digit or blank, ending at a word boundary):
// s/ss/se/sec/second(s), m/mm/mi/min/minute(s), h/hh/ho/hou/hour(s),
// d/dd/da/day(s), w/ww/we/wee/week(s), mo/mon/month(s), y/yy/ye/yea/year(s).
// What remains is evaluated as arithmetic: numbers, + - * /, parentheses.

#include <string>
#include <string_view>

#include "portcullis/base/error.h"

namespace portcullis {

// Seconds for a fail2ban time expression. Error "invalid time expression" (with
// the text as fragment) for anything that is not arithmetic after unit
// substitution, and "division by zero".
Result<double> ParseDuration(std::string_view text);

// fail2ban's seconds2str for log text: "59s", "1h", "2d 7h 15m", "1y 3w 4d", "0".
std::string FormatDuration(double seconds);

}  // namespace portcullis
