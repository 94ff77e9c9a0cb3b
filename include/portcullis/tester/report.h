#pragma once
// The pieces fail2ban-regex's report is made of, spelled the way Python prints them:
// shortened strings, "|- … `-" lists, float and dict reprs, local times.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portcullis/filter/failure.h"

namespace portcullis::tester {

// fail2ban-regex's shortstr: the first limit-3 characters and "..." when the text has
// more than `limit` characters (characters, not bytes: UTF-8 aware).
std::string ShortStr(std::string_view text, size_t limit = 53);

// fail2ban-regex's pprint_list: "|- <header>\n|  <item>\n…`-" without the final
// newline; empty when there are no items (nothing is printed then).
std::string PprintList(const std::vector<std::string>& items, std::string_view header = {});

// Python's repr(float): shortest round-trip digits, "1124013599.0", "1e+16", "inf".
std::string PyFloatRepr(double value);

// A failure time as Python holds it: None, an int (zone offset applied) or a float.
std::string PyTimeRepr(std::optional<double> time, bool is_integer);

// Python's repr()/str() of a failure data value: None, 'text', ('a', None),
// [('', 'date', 'rest')], {'user'} (sets sorted; Python's own order is arbitrary).
std::string PyValueRepr(const filter::FailValue& value);
std::string PyValueStr(const filter::FailValue& value);

// Python's repr(dict) of failure data, leaving out `skip` (e.g. "matches").
std::string PyDictRepr(const filter::FailData& data, std::string_view skip = {});

// The failure id as Python's str() and repr() show it: 192.0.2.1 / '192.0.2.1',
// a tuple id as ('a', 'b') both ways, None while pending.
std::string IdStr(const filter::Failure& failure);
std::string IdRepr(const filter::Failure& failure);

// A matched line as fail2ban joins it: prefix + date + suffix.
std::string JoinedLine(const filter::LineParts& line);

// time.strftime("%a %b %d %H:%M:%S %Y", time.localtime(t)) in the C locale.
std::string LocalTimeText(double time);

}  // namespace portcullis::tester
