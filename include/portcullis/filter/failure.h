#pragma once
// What a filter finds: failures with their id, time and captured data.
//
// fail2ban keeps a failure's data in a Python dict: the regex's named groups (None
// when a group did not take part), the matched lines, the set of users, and a few
// bookkeeping keys of the multi-line machinery. FailData is that dict, in insertion
// order, so that every consumer (sample checks, fail2ban-regex's `-o row`, action
// tags <F-USER>, the ban database) sees exactly what fail2ban would.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "portcullis/base/ip_addr.h"

namespace portcullis::filter {

// One log line split around its date: fail2ban's "tuple line".
struct LineParts {
  std::string prefix;  // text before the date
  std::string date;    // the date text (cut out before failregex runs)
  std::string suffix;  // text after the date
  // prefix + date + suffix: the line as it was logged.
  std::string Joined() const { return prefix + date + suffix; }
  // prefix + suffix: the line as failregex sees it.
  std::string WithoutDate() const { return prefix + suffix; }
  bool operator==(const LineParts&) const = default;
};

using Lines = std::vector<LineParts>;
// A tuple value (tuple_* groups): entries may be None.
using Tuple = std::vector<std::optional<std::string>>;
// The sorted set of users of a failure.
using Users = std::vector<std::string>;

// A value of FailData: None, text, tuple, lines, users or a counter.
using FailValue = std::variant<std::monostate, std::string, Tuple, Lines, Users, std::int64_t>;

// Python truthiness of a value: None, "", empty tuple/lines/users and 0 are false.
inline bool IsTruthy(const FailValue& value) {
  switch (value.index()) {
    case 0: return false;
    case 1: return !std::get<1>(value).empty();
    case 2: return !std::get<2>(value).empty();
    case 3: return !std::get<3>(value).empty();
    case 4: return !std::get<4>(value).empty();
    case 5: return std::get<5>(value) != 0;
  }
  return false;
}

// An ordered dict of failure data (see above).
class FailData {
 public:
  using Entry = std::pair<std::string, FailValue>;

  // nullptr when the key is absent. Inline, as Text, Truthy, Set and Pop: nearly every
  // caller names a literal key, whose size and bytes then compare as constants (a
  // hit's data is looked up a dozen times).
  const FailValue* Find(std::string_view key) const {
    const size_t i = IndexOf(key);
    return i == kAbsent ? nullptr : &entries_[i].second;
  }
  FailValue* Find(std::string_view key) {
    const size_t i = IndexOf(key);
    return i == kAbsent ? nullptr : &entries_[i].second;
  }
  // The text of `key`, or nullptr when absent, None or not text.
  const std::string* Text(std::string_view key) const {
    const FailValue* v = Find(key);
    return v ? std::get_if<std::string>(v) : nullptr;
  }
  // Python truthiness of the value of `key` (absent, None, "", empty list, 0 are false).
  bool Truthy(std::string_view key) const {
    const FailValue* v = Find(key);
    return v && IsTruthy(*v);
  }
  // Sets `key` (kept in place when present, appended otherwise). `value` is forwarded:
  // a FailValue moved in is assigned as it is, not moved into a parameter first.
  template <class Value>
    requires std::is_constructible_v<FailValue, Value&&>
  void Set(std::string_view key, Value&& value) {
    if (FailValue* v = Find(key)) *v = std::forward<Value>(value);
    else entries_.emplace_back(std::string(key), std::forward<Value>(value));
  }
  // Removes `key`; returns its value (monostate when absent).
  FailValue Pop(std::string_view key) {
    const size_t i = IndexOf(key);
    return i == kAbsent ? FailValue{} : Erase(i);
  }

  const std::vector<Entry>& entries() const { return entries_; }
  std::vector<Entry>& entries() { return entries_; }

  // The matched lines (key "matches"); empty when absent.
  const Lines& matches() const;
  // The users (key "users"); empty when absent.
  const Users& users() const;

 private:
  static constexpr size_t kAbsent = static_cast<size_t>(-1);
  size_t IndexOf(std::string_view key) const {
    for (size_t i = 0; i < entries_.size(); ++i) {
      const std::string& k = entries_[i].first;
      if (k.size() == key.size() && (key.empty() || (k[0] == key[0] && std::string_view(k) == key))) return i;
    }
    return kAbsent;
  }
  // Removes entries()[i]; returns its value.
  FailValue Erase(size_t i);
  std::vector<Entry> entries_;
};

// One failure: what fail2ban's findFailure returns as [index, fid, date, data].
struct Failure {
  int failregex = -1;               // index of the failregex that matched
  std::optional<IpAddr> id;         // the failure id; nullopt while pending (mlfid only)
  std::optional<double> time;       // the line's time; nullopt when no date was found
  FailData data;
  // fail2ban holds the time as an int, not a float, when a zone offset was applied
  // (DateMatch::time_is_integer): fail2ban-regex -o prints `1124020800`, not `1124020800.0`.
  bool time_is_integer = false;
  // The hit's data has a truthy nofail: not a failure to count (fail2ban-regex counts
  // its line as ignored). Set also when the data is not kept (Filter::set_failure_data).
  bool nofail = false;
};

}  // namespace portcullis::filter
