#pragma once
// Reading a log file the way fail2ban-regex does (FileContainer): in large blocks,
// lines split on "\n", decoded from the log encoding with invalid bytes replaced by
// U+FFFD as Python's 'replace' handler does, trailing "\r"/"\n" stripped, and a last
// line that was never terminated left out.

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "portcullis/base/error.h"

namespace portcullis::tester {

enum class Encoding { kUtf8, kLatin1, kAscii };

// The encodings this build reads: utf-8, latin-1 and ascii under their Python names
// (any case, '-' or '_'). Error "unknown encoding: <name>" for anything else.
Result<Encoding> ParseEncoding(std::string_view name);

// Appends `bytes` decoded from `encoding` to `out` as UTF-8; returns false when some
// bytes were invalid (and replaced).
bool DecodeAppend(std::string_view bytes, Encoding encoding, std::string& out);

class LogReader {
 public:
  // Opens `path`. Error: the system's reason, worded as Python's IOError
  // ("[Errno 13] Permission denied: '<path>'").
  static Result<LogReader> Open(const std::string& path, Encoding encoding);
  // The lines that start at byte offsets [begin, end) of `path` (`begin` and `end` at
  // line starts, or `end` at the end of the file).
  static Result<LogReader> OpenRange(const std::string& path, Encoding encoding, uint64_t begin, uint64_t end);
  // The byte offset of the first line start at or after `offset` (the file's size when
  // there is none).
  static uint64_t NextLineStart(const std::string& path, uint64_t offset);

  LogReader(LogReader&&) noexcept;
  LogReader& operator=(LogReader&&) noexcept;
  ~LogReader();

  // The next complete line without its line end, valid until the next call; false at
  // the end of the file (or on a read error).
  bool Next(std::string_view& line);

 private:
  LogReader(std::FILE* file, Encoding encoding);
  bool Fill();

  std::FILE* file_ = nullptr;
  Encoding encoding_;
  uint64_t block_offset_ = 0;  // file offset of block_[0]
  uint64_t end_ = UINT64_MAX;  // lines starting here or later are not read
  std::string block_;
  size_t pos_ = 0;
  size_t ascii_end_ = 0;  // block_[0, ascii_end_) holds only ASCII (checked once a block)
  bool eof_ = false;
  std::string decoded_;
};

}  // namespace portcullis::tester
