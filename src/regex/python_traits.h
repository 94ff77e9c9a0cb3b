#pragma once
// Boost.Regex character traits that make `\w \s \b` on UTF-8 bytes behave like
// Python's Unicode-aware `str` patterns where it matters for logs.
//
// Python matches code points, Boost's narrow regex matches bytes. Every byte of a
// multi-byte UTF-8 sequence (>= 0x80) counts as a word character here, so `\w+`
// takes `été` whole and `\b` does not fire inside it, as in Python, at the price
// of also counting non-ASCII punctuation and spaces as word characters. `\s` adds
// the ASCII separators 0x1c-0x1f that Python's str.isspace() accepts. `\d` stays
// ASCII 0-9. The classic "C" locale is imbued so the global locale never changes
// what a compiled regex matches. Private to the regex module.

#include <boost/regex.hpp>

#include <locale>

namespace portcullis::regex::internal {

class PythonTraits : public boost::cpp_regex_traits<char> {
 public:
  PythonTraits() { imbue(std::locale::classic()); }

  bool isctype(char c, char_class_type mask) const {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x80) return (mask & kWordMask) != 0;
    if (byte >= 0x1c && byte <= 0x1f && (mask & std::ctype<char>::space) != 0) return true;
    return boost::cpp_regex_traits<char>::isctype(c, mask);
  }

 private:
  static constexpr char_class_type kWordMask =
      boost::BOOST_REGEX_DETAIL_NS::cpp_regex_traits_implementation<char>::mask_word;
};

using BoostRegex = boost::basic_regex<char, PythonTraits>;

}  // namespace portcullis::regex::internal
