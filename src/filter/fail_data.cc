#include "portcullis/filter/failure.h"

namespace portcullis::filter {

FailValue FailData::Erase(size_t i) {
  FailValue out = std::move(entries_[i].second);
  entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(i));
  return out;
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
