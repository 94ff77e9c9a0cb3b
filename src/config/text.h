#pragma once

#include "portcullis/base/py_repr.h"
// Private string helpers of the config module, spelled after the Python builtins
// fail2ban relies on (str.strip, str.lower, repr).

#include <string>
#include <string_view>
#include <vector>

namespace portcullis::config {

// Python's ASCII whitespace as str.isspace sees it.
inline bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
// Python's \w for the names fail2ban matches: letters, digits, '_' and any non-ASCII byte.
inline bool IsWordChar(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return u >= 0x80 || (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') ||
         (u >= 'A' && u <= 'Z') || u == '_';
}

std::string_view Strip(std::string_view text);
std::string_view LStrip(std::string_view text);
std::string_view RStrip(std::string_view text);
std::string ToLower(std::string_view text);
bool StartsWith(std::string_view text, std::string_view prefix);
bool EndsWith(std::string_view text, std::string_view suffix);
std::vector<std::string> SplitOn(std::string_view text, char separator);
bool IsValidUtf8(std::string_view text);
// Python's repr() of a str: 'a', "it's", 'a\nb'.

}  // namespace portcullis::config
