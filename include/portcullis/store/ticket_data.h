#pragma once
// Ticket data as fail2ban writes it into the database: Python's
// `json.dumps(data, ensure_ascii=False)`, so that a file written by portcullis holds the
// same bytes fail2ban would have written.
//
//   {"matches": ["line one", "line \"two\"\té"], "failures": 3, "users": "['root']", "user": "root"}
//
// - ", " and ": " between items, keys in the object's order, non-ASCII text as is
//   (UTF-8), control characters as \n, \t, ... or \u00XX.
// - A number without a fractional part is written as an integer (ticket data holds
//   Python ints); others as Python's float repr (0.5, 1e+16, 1.5e-05).
// - fail2ban has no JSON for a Python set (the "users" of a multi-line failure): it
//   stores str(list(set)), a string such as "['root', 'admin']". PythonListRepr makes
//   that string; the caller passes the users sorted, where Python's order would be the
//   set's hash order and differs from run to run.

#include <span>
#include <string>
#include <string_view>

#include "portcullis/base/json.h"

namespace portcullis::store {

// Appends `value` as json.dumps writes it. In the top-level object a "matches" array
// longer than `max_matches` keeps its last `max_matches` items, and a non-empty one is
// left out when `max_matches` is 0 (database.py addBan); a negative value keeps all.
void AppendTicketJson(const json::Value& value, int max_matches, std::string& out);

// Python's repr of a str: 'text', or "text" when it holds a ' and no ".
std::string PythonStrRepr(std::string_view text);

// Python's str() of a list of strings: "['a', 'b']".
std::string PythonListRepr(std::span<const std::string> items);

}  // namespace portcullis::store
