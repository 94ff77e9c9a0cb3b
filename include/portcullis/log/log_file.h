#pragma once
// One log file being tailed: fail2ban's FileContainer. It remembers the inode, the
// position after the last complete line and the hash of the first line, hands out
// complete lines only, and notices rotation on every read.
//
//   auto log = log::LogFile::Open("/var/log/auth.log", {.tail = false}, clock);
//   auto read = log->ReadLines([&](std::string_view line) { filter.Process(line); return true; });
//   if (read && read->rotated) Notice("Log rotation detected for ... reason: " + read->rotation_reason);
//   store.Save(log->path(), log->position());
//
// Lines are string_views into a buffer the LogFile reuses: valid during the callback
// only. Reading goes in large blocks (pread at the remembered offset); a line without
// its '\n' yet is left for the next read, and the position stays before it. Trailing
// '\r'/'\n' are stripped, as Python's rstrip('\r\n').
//
// Rotation is any of: the path names another inode (rename + create, delete +
// recreate), the file is shorter than the position (copytruncate), or the first line
// changed (checked at most every 30 s unless one of the others fired). The new file is
// then read from offset 0. Unlike fail2ban, the old file is not dropped: its fd stays
// open and is read to its end first, and it is kept (and read on every call) until the
// new file has data or 60 s have passed, so lines a writer adds to the renamed file
// before it reopens its log are not lost. A file that disappears is likewise read to
// its end (ReadResult::absent tells the caller).
//
// Encodings (`logencoding`): `auto`, `utf-8` and `ascii` pass bytes through; invalid
// UTF-8 is kept byte for byte (fail2ban replaces it with U+FFFD). `latin-1` is
// converted to UTF-8 here, other single-byte or ASCII-compatible encodings (cp1252,
// iso-8859-15, koi8-r, ...) with iconv, invalid bytes becoming U+FFFD as in fail2ban.
// UTF-16/UTF-32 logs are not supported (Open fails with a clear error).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "portcullis/base/clock.h"
#include "portcullis/base/error.h"

namespace portcullis::log {

// Where reading stopped, as the ban database keeps it (logs.firstlinemd5, lastfilepos).
struct LogPosition {
  // Hex SHA-1 of the first line including its '\n' (fail2ban's "md5"); empty while
  // the file has no complete first line.
  std::string first_line_hash;
  // Byte offset just after the last complete line handed out.
  uint64_t offset = 0;

  bool operator==(const LogPosition&) const = default;
};

struct LogFileOptions {
  std::string encoding = "auto";   // the jail's logencoding
  bool tail = false;               // logpath "... tail": start at the end
  // A position saved by a previous run: used when its first-line hash equals the
  // file's (and not in tail mode), as fail2ban's Database.addLog.
  std::optional<LogPosition> saved;
  size_t block_size = 128 * 1024;      // bytes per read
  size_t max_line_bytes = 1024 * 1024; // a longer line is cut there, the rest skipped
};

// What one ReadLines call did.
struct ReadResult {
  size_t lines = 0;             // lines handed to the callback
  bool rotated = false;         // "Log rotation detected"
  // fail2ban's reason tuple: (size, pos, inode, old inode, hash, old hash).
  std::string rotation_reason;
  bool absent = false;          // the path names no file now (deleted or renamed away)
  bool stopped = false;         // the callback returned false
  bool at_end = false;          // every complete line was read
};

// One thread at a time: the jail's filter thread reads and saves positions.
class LogFile {
 public:
  // Receives one line without its line end; returns false to stop reading (the
  // position is then just after this line).
  using LineHandler = std::function<bool(std::string_view line)>;

  // Opens `path`, records its inode and first-line hash and picks the start: the
  // saved position, the end (tail: after the last complete line), or 0. Errors: the
  // file cannot be opened or is a folder ("cannot open log: No such file or
  // directory", with the path as file), or the encoding is unknown or unsupported.
  static Result<LogFile> Open(std::string path, const LogFileOptions& options, const Clock& clock);

  LogFile(LogFile&&) noexcept;
  LogFile& operator=(LogFile&&) noexcept;
  ~LogFile();

  // The time of a line (its date, as the jail's date detector reads it), or nullopt
  // when the line has none.
  using TimeOfLine = std::function<std::optional<double>(std::string_view line)>;

  // fail2ban's seekToTime for the first read in head mode: moves the position
  // forward, by bisection over the file, to a line at or before the first line dated
  // `start` (now - findtime) or later, so a large log is not read whole at start.
  // Lines without a date never move it past them, so it may stop a little early,
  // never late. Error only when reading fails.
  Result<void> SeekToTime(double start, const TimeOfLine& time_of_line);

  // Checks for rotation, then hands every complete unread line to `on_line`: first
  // what is left in a rotated-away file, then the current one. Errors only when
  // reading fails (EIO, a path that became a folder, ...); the path missing is not an
  // error but ReadResult::absent.
  Result<ReadResult> ReadLines(const LineHandler& on_line);

  const std::string& path() const;
  // What the store saves: first-line hash and offset in the current file.
  LogPosition position() const;
  // fail2ban's inOperation: opened in tail mode, or read to the end once.
  bool in_operation() const;
  // Whether a rotated-away file is still held open to be read to its end.
  bool draining_old_file() const;

 private:
  struct State;
  explicit LogFile(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace portcullis::log
