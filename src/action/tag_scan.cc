#include "tag_scan.h"

namespace portcullis::action {

namespace {

bool IsDataTagChar(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'; }

// The end (one past '>') of a TAG_CRE match starting at `start` ('<'), or npos.
size_t TagEnd(std::string_view text, size_t start) {
  size_t k = start + 1;
  while (k < text.size() && text[k] != ' ' && text[k] != '<' && text[k] != '>') ++k;
  return k > start + 1 && k < text.size() && text[k] == '>' ? k + 1 : std::string_view::npos;
}

size_t DataTagEnd(std::string_view text, size_t start) {
  if (text.substr(start, 3) != "<F-") return std::string_view::npos;
  size_t k = start + 3;
  while (k < text.size() && IsDataTagChar(text[k])) ++k;
  return k > start + 3 && k < text.size() && text[k] == '>' ? k + 1 : std::string_view::npos;
}

template <class EndOf, class Replace>
std::string Substitute(std::string_view text, EndOf end_of, Replace replace) {
  std::string out;
  size_t copied = 0;
  for (size_t i = text.find('<'); i != std::string_view::npos; i = text.find('<', i)) {
    const size_t end = end_of(text, i);
    if (end == std::string_view::npos) {
      ++i;
      continue;
    }
    out += text.substr(copied, i - copied);
    out += replace(text.substr(i, end - i));
    copied = i = end;
  }
  out += text.substr(copied);
  return out;
}

}  // namespace

std::string SubstituteTags(std::string_view text,
                           const std::function<std::string(std::string_view, std::string_view)>& replace) {
  return Substitute(text, TagEnd, [&](std::string_view whole) {
    return replace(whole.substr(1, whole.size() - 2), whole);
  });
}

std::string SubstituteDataTags(std::string_view text, const std::function<std::string(std::string_view)>& replace) {
  return Substitute(text, DataTagEnd, [&](std::string_view whole) { return replace(whole.substr(3, whole.size() - 4)); });
}

}  // namespace portcullis::action
