#pragma once
// Character-level helpers for reading Python patterns and writing Boost ones.
// Private to the regex module.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace portcullis::regex::internal {

bool IsDigit(char c);
bool IsOctal(char c);
bool IsAsciiAlpha(char c);
bool IsAsciiAlnum(char c);
// A byte of a multi-byte UTF-8 sequence (>= 0x80).
bool IsHigh(char c);
// 0-15 for a hex digit, -1 otherwise.
int HexValue(char c);
// Length of the UTF-8 sequence a lead byte starts (1 for ASCII and stray bytes).
size_t Utf8Length(char lead);
// The UTF-8 bytes of a code point.
std::string Utf8(uint32_t cp);
// The code point of one UTF-8 sequence as cut by Utf8Length.
uint32_t DecodeUtf8(std::string_view bytes);
// An ASCII character as a Boost literal outside a class.
std::string AsciiLiteral(uint32_t cp);
// A character as a Boost literal inside a class.
std::string ClassLiteral(uint32_t cp);
// A Python group name: an ASCII identifier.
bool ValidGroupName(std::string_view name);

// `{m}`, `{m,}`, `{,n}`, `{,}`, `{m,n}` starting at `brace` (a `{`): Python's quantifier
// forms. nullopt when the text there is not one of them (Python reads a literal `{`).
struct BraceQuantifier {
  std::string_view min, max;  // the digits as written, either may be empty
  bool comma = false;         // `{m}` has none: max is min
  size_t end = 0;             // just past the `}`
};
std::optional<BraceQuantifier> ReadBraceQuantifier(std::string_view pattern, size_t brace);

}  // namespace portcullis::regex::internal
