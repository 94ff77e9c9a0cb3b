#include "portcullis/base/error.h"

namespace portcullis {

std::string Error::ToString() const {
  std::string out;
  if (!file.empty()) {
    out += file;
    if (line > 0) out += ":" + std::to_string(line);
    out += ": ";
  }
  out += message;
  if (!fragment.empty()) out += ": " + fragment;
  return out;
}

Error Error::At(std::string at_file, int at_line) const {
  if (!file.empty()) return *this;
  Error located = *this;
  located.file = std::move(at_file);
  located.line = at_line;
  return located;
}

}  // namespace portcullis
