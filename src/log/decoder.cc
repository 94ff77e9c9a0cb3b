#include "decoder.h"

#include <iconv.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <utility>
#include <vector>

namespace portcullis::log {
namespace {

// Python's codec lookup ignores case and treats '-', '_' and ' ' alike.
std::string Normalized(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == '-' || c == '_' || c == ' ') continue;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// `auto` is the locale's encoding in fail2ban; a daemon's locale is UTF-8 here.
bool IsPassThrough(const std::string& n) {
  return n == "auto" || n == "utf8" || n == "u8" || n == "utf" || n == "cp65001" || n == "ascii" ||
         n == "usascii" || n == "646";
}

bool IsLatin1(const std::string& n) {
  return n == "latin1" || n == "latin" || n == "l1" || n == "iso88591" || n == "88591" || n == "8859" ||
         n == "cp819" || n == "iso885911987" || n == "iso8859";
}

iconv_t OpenIconv(std::string_view name) {
  std::string as_is(name);
  std::string dashed = as_is;
  std::replace(dashed.begin(), dashed.end(), '_', '-');
  for (const std::string& candidate : {as_is, dashed, Normalized(name)}) {
    iconv_t cd = ::iconv_open("UTF-8", candidate.c_str());
    if (cd != reinterpret_cast<iconv_t>(-1)) return cd;
  }
  return reinterpret_cast<iconv_t>(-1);
}

// Lines are split at the byte '\n' before decoding, so the encoding must write
// ASCII as the same single bytes (UTF-16/32 do not).
bool KeepsAscii(iconv_t cd) {
  std::string in = "Az09 :[]\n", out(64, '\0');
  char* in_ptr = in.data();
  char* out_ptr = out.data();
  size_t in_left = in.size(), out_left = out.size();
  ::iconv(cd, nullptr, nullptr, nullptr, nullptr);
  size_t n = ::iconv(cd, &in_ptr, &in_left, &out_ptr, &out_left);
  ::iconv(cd, nullptr, nullptr, nullptr, nullptr);
  return n != static_cast<size_t>(-1) && in_left == 0 && out.compare(0, out.size() - out_left, in) == 0;
}

void AppendReplacement(std::string& out) { out += "\xEF\xBF\xBD"; }  // U+FFFD

}  // namespace

Result<Decoder> Decoder::Create(std::string_view encoding) {
  std::string n = Normalized(encoding);
  if (IsPassThrough(n)) return Decoder(Kind::kPassThrough, nullptr);
  if (IsLatin1(n)) return Decoder(Kind::kLatin1, nullptr);
  iconv_t cd = OpenIconv(encoding);
  if (cd == reinterpret_cast<iconv_t>(-1)) return Fail("unknown log encoding", {}, 0, std::string(encoding));
  if (!KeepsAscii(cd)) {
    ::iconv_close(cd);
    return Fail("log encoding is not supported (only encodings that keep ASCII as single bytes can be read)",
                {}, 0, std::string(encoding));
  }
  return Decoder(Kind::kIconv, cd);
}

Decoder::Decoder(Decoder&& other) noexcept
    : kind_(other.kind_), iconv_(std::exchange(other.iconv_, nullptr)), out_(std::move(other.out_)) {}

Decoder& Decoder::operator=(Decoder&& other) noexcept {
  if (this != &other) {
    if (iconv_) ::iconv_close(static_cast<iconv_t>(iconv_));
    kind_ = other.kind_;
    iconv_ = std::exchange(other.iconv_, nullptr);
    out_ = std::move(other.out_);
  }
  return *this;
}

Decoder::~Decoder() {
  if (iconv_) ::iconv_close(static_cast<iconv_t>(iconv_));
}

std::string_view Decoder::Decode(std::string_view bytes) {
  switch (kind_) {
    case Kind::kPassThrough:
      return bytes;
    case Kind::kLatin1:
      if (std::all_of(bytes.begin(), bytes.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
        return bytes;
      }
      out_.clear();
      for (char c : bytes) {
        auto byte = static_cast<unsigned char>(c);
        if (byte < 0x80) {
          out_ += c;
        } else {
          out_ += static_cast<char>(0xC0 | (byte >> 6));
          out_ += static_cast<char>(0x80 | (byte & 0x3F));
        }
      }
      return out_;
    case Kind::kIconv:
      return Iconv(bytes);
  }
  return bytes;
}

std::string_view Decoder::Iconv(std::string_view bytes) {
  auto cd = static_cast<iconv_t>(iconv_);
  ::iconv(cd, nullptr, nullptr, nullptr, nullptr);
  out_.resize(bytes.size() * 4 + 16);  // within capacity after the first lines: no allocation
  char* in = const_cast<char*>(bytes.data());
  size_t in_left = bytes.size();
  size_t used = 0;
  while (in_left > 0) {
    char* out = out_.data() + used;
    size_t out_left = out_.size() - used;
    size_t n = ::iconv(cd, &in, &in_left, &out, &out_left);
    used = out_.size() - out_left;
    if (n != static_cast<size_t>(-1)) break;
    if (errno == E2BIG) {
      out_.resize(out_.size() * 2);
      continue;
    }
    // EILSEQ or EINVAL (cut sequence): one replacement char per bad byte, as Python's 'replace'.
    out_.resize(used);
    AppendReplacement(out_);
    used = out_.size();
    out_.resize(std::max(out_.size() * 2, used + in_left * 4 + 16));
    ++in;
    --in_left;
    ::iconv(cd, nullptr, nullptr, nullptr, nullptr);
  }
  out_.resize(used);
  return out_;
}

}  // namespace portcullis::log
