#include "python_syntax.h"

#include <algorithm>

#include "text_util.h"

namespace portcullis::regex::internal {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsOctal(char c) { return c >= '0' && c <= '7'; }
bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiAlnum(char c) { return IsAsciiAlpha(c) || IsDigit(c); }
bool IsHigh(char c) { return static_cast<unsigned char>(c) >= 0x80; }

int HexValue(char c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Length of the UTF-8 sequence a lead byte starts (1 for ASCII and stray bytes).
size_t Utf8Length(char lead) {
  const auto b = static_cast<unsigned char>(lead);
  if (b >= 0xf0 && b <= 0xf7) return 4;
  if (b >= 0xe0) return b <= 0xef ? 3 : 1;
  if (b >= 0xc0) return 2;
  return 1;
}

std::string Utf8(uint32_t cp) {
  std::string s;
  if (cp < 0x80) {
    s += static_cast<char>(cp);
  } else if (cp < 0x800) {
    s += static_cast<char>(0xc0 | (cp >> 6));
    s += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    s += static_cast<char>(0xe0 | (cp >> 12));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    s += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    s += static_cast<char>(0xf0 | (cp >> 18));
    s += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    s += static_cast<char>(0x80 | (cp & 0x3f));
  }
  return s;
}

uint32_t DecodeUtf8(std::string_view bytes) {
  if (bytes.size() == 1) return static_cast<unsigned char>(bytes[0]);
  uint32_t cp = static_cast<unsigned char>(bytes[0]) & (0x7f >> bytes.size());
  for (size_t i = 1; i < bytes.size(); ++i) cp = (cp << 6) | (bytes[i] & 0x3f);
  return cp;
}

// An ASCII character as a literal outside a class. `\<` `\>` `\'` `\`` are
// assertions in Boost, so those (and controls) become hex escapes.
std::string AsciiLiteral(uint32_t cp) {
  const char c = static_cast<char>(cp);
  if (c == '\n') return "\\n";
  if (c == '\t') return "\\t";
  if (c == '\r') return "\\r";
  if (cp < 0x20 || cp == 0x7f || std::string_view("<>'`").find(c) != std::string_view::npos)
    return HexEscapeText(cp);
  if (std::string_view("\\.^$|?*+()[]{}").find(c) != std::string_view::npos)
    return std::string("\\") + c;
  return std::string(1, c);
}

// A literal inside a character class.
std::string ClassLiteral(uint32_t cp) {
  if (cp >= 0x80) return Utf8(cp);
  const char c = static_cast<char>(cp);
  if (c == '\n') return "\\n";
  if (c == '\t') return "\\t";
  if (c == '\r') return "\\r";
  if (cp < 0x20 || cp == 0x7f) return HexEscapeText(cp);
  if (std::string_view("]\\[-^").find(c) != std::string_view::npos) return std::string("\\") + c;
  return std::string(1, c);
}

std::optional<BraceQuantifier> ReadBraceQuantifier(std::string_view pattern, size_t brace) {
  auto digits = [&](size_t from) {
    size_t to = from;
    while (to < pattern.size() && IsDigit(pattern[to])) ++to;
    return to;
  };
  BraceQuantifier q;
  size_t p = digits(brace + 1);
  q.min = pattern.substr(brace + 1, p - brace - 1);
  q.comma = p < pattern.size() && pattern[p] == ',';
  if (q.comma) {
    const size_t from = p + 1;
    p = digits(from);
    q.max = pattern.substr(from, p - from);
  }
  if (p >= pattern.size() || pattern[p] != '}' || (!q.comma && q.min.empty())) return std::nullopt;
  q.end = p + 1;
  return q;
}

bool ValidGroupName(std::string_view name) {
  if (name.empty() || IsDigit(name[0])) return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return IsAsciiAlnum(c) || c == '_'; });
}

}  // namespace portcullis::regex::internal
