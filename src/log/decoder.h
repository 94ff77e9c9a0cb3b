#pragma once
// Turns a log line in the jail's `logencoding` into UTF-8 for the filter.

#include <string>
#include <string_view>

#include "portcullis/base/error.h"

namespace portcullis::log {

class Decoder {
 public:
  // A decoder for a Python codec name ("auto", "utf-8", "latin-1", "cp1252", ...).
  // Errors: "unknown log encoding" and "log encoding is not supported (only
  // encodings that keep ASCII as single bytes can be read)" for UTF-16/32.
  static Result<Decoder> Create(std::string_view encoding);

  Decoder(Decoder&& other) noexcept;
  Decoder& operator=(Decoder&& other) noexcept;
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;
  ~Decoder();

  // The line as UTF-8: `bytes` itself when nothing needs converting, else a view of a
  // buffer this decoder reuses (valid until the next call).
  std::string_view Decode(std::string_view bytes);

 private:
  enum class Kind { kPassThrough, kLatin1, kIconv };
  Decoder(Kind kind, void* iconv) : kind_(kind), iconv_(iconv) {}
  std::string_view Iconv(std::string_view bytes);

  Kind kind_;
  void* iconv_ = nullptr;  // iconv_t
  std::string out_;
};

}  // namespace portcullis::log
