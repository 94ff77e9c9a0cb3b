#include "portcullis/filter/failure.h"

namespace portcullis::filter {

namespace {

// Keys are short and mostly differ in length or first letter ("ip4", "user", "mlfid"):
// those are compared before the bytes, and the bytes in a loop (a call to memcmp costs
// more than a key).
bool SameKey(const std::string& k, std::string_view key) {
  if (k.size() != key.size() || key.empty() || k[0] != key[0]) return false;
  for (size_t i = 1; i < key.size(); ++i)
    if (k[i] != key[i]) return false;
  return true;
}

}  // namespace

const std::string* FailData::Text(std::string_view key) const {
  const FailValue* v = Find(key);
  return v ? std::get_if<std::string>(v) : nullptr;
}

bool IsTruthy(const FailValue& value) {
  struct Visitor {
    bool operator()(std::monostate) const { return false; }
    bool operator()(const std::string& s) const { return !s.empty(); }
    bool operator()(const Tuple& t) const { return !t.empty(); }
    bool operator()(const Lines& l) const { return !l.empty(); }
    bool operator()(const Users& u) const { return !u.empty(); }
    bool operator()(std::int64_t n) const { return n != 0; }
  };
  return std::visit(Visitor{}, value);
}

bool FailData::Truthy(std::string_view key) const {
  const FailValue* v = Find(key);
  return v && IsTruthy(*v);
}

void FailData::Set(std::string_view key, FailValue value) {
  if (FailValue* v = Find(key)) {
    *v = std::move(value);
    return;
  }
  entries_.emplace_back(std::string(key), std::move(value));
}

FailValue FailData::Pop(std::string_view key) {
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (key.empty() ? it->first.empty() : SameKey(it->first, key)) {
      FailValue v = std::move(it->second);
      entries_.erase(it);
      return v;
    }
  }
  return {};
}

const Lines& FailData::matches() const {
  static const Lines kEmpty;
  const FailValue* v = Find("matches");
  const Lines* lines = v ? std::get_if<Lines>(v) : nullptr;
  return lines ? *lines : kEmpty;
}

const Users& FailData::users() const {
  static const Users kEmpty;
  const FailValue* v = Find("users");
  const Users* users = v ? std::get_if<Users>(v) : nullptr;
  return users ? *users : kEmpty;
}

}  // namespace portcullis::filter
