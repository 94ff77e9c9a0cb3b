#pragma once
// Small string building helpers for the regex module (GCC 12 has no <format>).

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace portcullis::regex::internal {

inline void AppendPiece(std::string& out, std::string_view piece) { out += piece; }
inline void AppendPiece(std::string& out, char piece) { out += piece; }
template <class Int>
  requires std::is_integral_v<Int>
inline void AppendPiece(std::string& out, Int piece) { out += std::to_string(piece); }

// Concatenates strings, characters and integers.
template <class... Pieces>
std::string Cat(const Pieces&... pieces) {
  std::string out;
  (AppendPiece(out, pieces), ...);
  return out;
}

// `\x{hh}`: a Boost escape for one ASCII byte.
inline std::string HexEscapeText(uint32_t byte) {
  static constexpr char kDigits[] = "0123456789abcdef";
  return Cat("\\x{", kDigits[(byte >> 4) & 0xf], kDigits[byte & 0xf], "}");
}

}  // namespace portcullis::regex::internal
