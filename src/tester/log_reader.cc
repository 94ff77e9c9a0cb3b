#include "portcullis/tester/log_reader.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include "portcullis/base/py_repr.h"

namespace portcullis::tester {
namespace {

constexpr size_t kBlockSize = 1 << 17;  // read, then matched while it is in L2
constexpr const char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD

// Length of the maximal prefix of a well-formed UTF-8 sequence at `s` (Unicode's
// "maximal subpart", which is what CPython replaces by one U+FFFD); `complete` tells
// whether it is a whole character.
size_t Utf8Prefix(std::string_view s, bool& complete) {
  unsigned char c = static_cast<unsigned char>(s[0]);
  complete = true;
  if (c < 0x80) return 1;
  unsigned char lo = 0x80, hi = 0xBF;
  size_t need;
  if (c >= 0xC2 && c <= 0xDF) need = 1;
  else if (c == 0xE0) need = 2, lo = 0xA0;
  else if (c >= 0xE1 && c <= 0xEC) need = 2;
  else if (c == 0xED) need = 2, hi = 0x9F;
  else if (c >= 0xEE && c <= 0xEF) need = 2;
  else if (c == 0xF0) need = 3, lo = 0x90;
  else if (c >= 0xF1 && c <= 0xF3) need = 3;
  else if (c == 0xF4) need = 3, hi = 0x8F;
  else {
    complete = false;
    return 1;
  }
  size_t i = 1;
  for (; i <= need && i < s.size(); ++i) {
    unsigned char b = static_cast<unsigned char>(s[i]);
    if (b < lo || b > hi) break;
    lo = 0x80, hi = 0xBF;
  }
  complete = i == need + 1;
  return i;
}

// How many bytes from the start of `s` are ASCII: sixteen at a time (SSE2, in every
// x86-64) over a block as it is read, so that its lines need no check of their own.
size_t AsciiPrefix(std::string_view s) {
  size_t i = 0;
#ifdef __SSE2__
  for (; i + 16 <= s.size(); i += 16)
    if (_mm_movemask_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i))) != 0) break;
#endif
  while (i < s.size() && static_cast<unsigned char>(s[i]) < 0x80) ++i;
  return i;
}

}  // namespace

Result<Encoding> ParseEncoding(std::string_view name) {
  std::string n;
  for (char c : name) n += c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (n == "utf-8" || n == "utf8" || n == "u8" || n == "utf") return Encoding::kUtf8;
  if (n == "latin-1" || n == "latin1" || n == "iso-8859-1" || n == "iso8859-1" || n == "l1" || n == "8859" ||
      n == "cp819" || n == "latin")
    return Encoding::kLatin1;
  if (n == "ascii" || n == "us-ascii" || n == "646") return Encoding::kAscii;
  return Fail("unknown encoding: " + std::string(name));
}

bool DecodeAppend(std::string_view bytes, Encoding encoding, std::string& out) {
  if (AsciiPrefix(bytes) == bytes.size()) {
    out.append(bytes);
    return true;
  }
  bool valid = true;
  for (size_t i = 0; i < bytes.size();) {
    unsigned char c = static_cast<unsigned char>(bytes[i]);
    if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
    } else if (encoding == Encoding::kLatin1) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
      ++i;
    } else if (encoding == Encoding::kAscii) {
      out += kReplacement;
      valid = false;
      ++i;
    } else {
      bool complete = false;
      size_t n = Utf8Prefix(bytes.substr(i), complete);
      if (complete) {
        out.append(bytes.substr(i, n));
      } else {
        out += kReplacement;
        valid = false;
      }
      i += n;
    }
  }
  return valid;
}

Result<LogReader> LogReader::Open(const std::string& path, Encoding encoding) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) {
    int err = errno;
    return Fail("[Errno " + std::to_string(err) + "] " + std::strerror(err) + ": " + PyRepr(path));
  }
  return LogReader(file, encoding);
}

LogReader::LogReader(std::FILE* file, Encoding encoding) : file_(file), encoding_(encoding) {}

Result<LogReader> LogReader::OpenRange(const std::string& path, Encoding encoding, uint64_t begin, uint64_t end) {
  auto reader = Open(path, encoding);
  if (!reader) return reader;
  if (fseeko(reader->file_, static_cast<off_t>(begin), SEEK_SET) != 0)
    return Fail("[Errno " + std::to_string(errno) + "] " + std::strerror(errno) + ": " + PyRepr(path));
  reader->block_offset_ = begin;
  reader->end_ = end;
  return reader;
}

uint64_t LogReader::NextLineStart(const std::string& path, uint64_t offset) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) return offset;
  uint64_t at = offset;
  if (offset > 0 && fseeko(file, static_cast<off_t>(offset - 1), SEEK_SET) == 0) {
    at = offset - 1;  // a line starts at `offset` when the byte before it ends a line
    for (int c; (c = std::fgetc(file)) != EOF;) {
      ++at;
      if (c == '\n') break;
    }
  }
  std::fclose(file);
  return at;
}

LogReader::LogReader(LogReader&& other) noexcept
    : file_(std::exchange(other.file_, nullptr)), encoding_(other.encoding_), block_offset_(other.block_offset_),
      end_(other.end_), block_(std::move(other.block_)), pos_(other.pos_), ascii_end_(other.ascii_end_),
      eof_(other.eof_) {}

LogReader& LogReader::operator=(LogReader&& other) noexcept {
  if (this != &other) {
    if (file_) std::fclose(file_);
    file_ = std::exchange(other.file_, nullptr);
    encoding_ = other.encoding_;
    block_offset_ = other.block_offset_;
    end_ = other.end_;
    block_ = std::move(other.block_);
    pos_ = other.pos_;
    ascii_end_ = other.ascii_end_;
    eof_ = other.eof_;
  }
  return *this;
}

LogReader::~LogReader() {
  if (file_) std::fclose(file_);
}

// Moves the unread rest to the front and appends the next block; false at the end.
bool LogReader::Fill() {
  if (eof_ || !file_) return false;
  block_.erase(0, pos_);
  block_offset_ += pos_;
  pos_ = 0;
  const size_t old = block_.size();
  size_t got = 0;
  // Grown without zero-filling what fread overwrites at once.
  block_.resize_and_overwrite(old + kBlockSize, [&](char* data, size_t) {
    got = std::fread(data + old, 1, kBlockSize, file_);
    return old + got;
  });
  if (got < kBlockSize) eof_ = true;
  ascii_end_ = AsciiPrefix(block_);
  return got > 0;
}

bool LogReader::Next(std::string_view& line) {
  if (block_offset_ + pos_ >= end_) return false;
  size_t nl;
  while ((nl = block_.find('\n', pos_)) == std::string::npos) {
    if (!Fill()) {
      // The last piece counts only when it ends in "\r" (Python's rstrip saw a line end).
      std::string_view rest = std::string_view(block_).substr(pos_);
      if (rest.empty() || rest.back() != '\r') return false;
      nl = block_.size();
      break;
    }
  }
  std::string_view raw = std::string_view(block_).substr(pos_, nl - pos_);
  pos_ = std::min(nl + 1, block_.size());
  while (!raw.empty() && (raw.back() == '\r' || raw.back() == '\n')) raw.remove_suffix(1);
  if (encoding_ == Encoding::kUtf8 && (nl <= ascii_end_ || AsciiPrefix(raw) == raw.size())) {
    line = raw;
    return true;
  }
  decoded_.clear();
  DecodeAppend(raw, encoding_, decoded_);
  line = decoded_;
  return true;
}

}  // namespace portcullis::tester
