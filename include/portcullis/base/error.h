#pragma once
// Errors as values. Every expected failure in portcullis is an Error carried in a
// Result<T>; exceptions never cross a module boundary.
//
//   Result<int> ParsePort(std::string_view text);
//   auto port = ParsePort("x");
//   if (!port) std::cerr << port.error().ToString() << "\n";
//
// ToString() prints "file:line: message: fragment" (parts left out when empty),
// the form editors and CI logs understand.

#include <expected>
#include <string>
#include <utility>

namespace portcullis {

struct Error {
  std::string message;   // what is wrong, in words
  std::string file;      // the file at fault, empty when not about a file
  int line = 0;          // 1-based line in file, 0 when unknown
  std::string fragment;  // the offending text, empty when there is none

  // "file:line: message: fragment" without the parts that are empty.
  std::string ToString() const;

  // Returns a copy located at file:line unless it already names a file.
  Error At(std::string at_file, int at_line) const;
};

template <class T>
using Result = std::expected<T, Error>;

// A value for the error branch of a Result: `return Fail("bad thing");`.
inline std::unexpected<Error> Fail(std::string message, std::string file = {}, int line = 0,
                                   std::string fragment = {}) {
  return std::unexpected(Error{std::move(message), std::move(file), line, std::move(fragment)});
}

inline std::unexpected<Error> Fail(Error error) { return std::unexpected(std::move(error)); }

}  // namespace portcullis
