#include "portcullis/log/log_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "decoder.h"
#include "portcullis/base/sha1.h"
#include "portcullis/platform/unique_fd.h"

namespace portcullis::log {
namespace {

constexpr double kRehashInterval = 30;  // fail2ban's __hashNextTime step
// How long a rotated-away or deleted file is kept open for late writes.
constexpr double kOldFileGrace = 60;

struct OpenFile {
  platform::UniqueFd fd;
  uint64_t dev = 0;
  uint64_t ino = 0;
  uint64_t pos = 0;        // offset after the last complete line handed out
  bool skipping = false;   // inside a line longer than max_line_bytes
};

std::string SysError(std::string_view what) { return std::string(what) + ": " + std::strerror(errno); }

Result<OpenFile> OpenPath(const std::string& path) {
  OpenFile file;
  file.fd.Reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (!file.fd.valid()) return Fail(SysError("cannot open log"), path);
  struct stat st;
  if (::fstat(file.fd.get(), &st) != 0) return Fail(SysError("cannot stat log"), path);
  if (S_ISDIR(st.st_mode)) return Fail("cannot open log: Is a directory", path);
  file.dev = st.st_dev;
  file.ino = st.st_ino;
  return file;
}

Result<uint64_t> FileSize(const OpenFile& file, const std::string& path) {
  struct stat st;
  if (::fstat(file.fd.get(), &st) != 0) return Fail(SysError("cannot stat log"), path);
  return static_cast<uint64_t>(st.st_size);
}

// pread that retries on signals; -1 with errno on failure.
ssize_t ReadAt(int fd, char* data, size_t size, uint64_t offset) {
  for (;;) {
    ssize_t n = ::pread(fd, data, size, static_cast<off_t>(offset));
    if (n >= 0 || errno != EINTR) return n;
  }
}

// The first line with its '\n', or empty when there is none within `limit` bytes.
Result<std::string> FirstLine(const OpenFile& file, size_t limit, const std::string& path) {
  std::string line;
  char chunk[4096];
  while (line.size() < limit) {
    ssize_t n = ReadAt(file.fd.get(), chunk, sizeof chunk, line.size());
    if (n < 0) return Fail(SysError("cannot read log"), path);
    if (n == 0) return std::string();
    if (const void* nl = std::memchr(chunk, '\n', static_cast<size_t>(n))) {
      line.append(chunk, static_cast<const char*>(nl) - chunk + 1);
      return line;
    }
    line.append(chunk, static_cast<size_t>(n));
  }
  return std::string();
}

// Tail mode starts after the last complete line, so a line being written when we
// start is read whole (fail2ban starts at the very end, in the middle of it).
Result<uint64_t> TailStart(const OpenFile& file, size_t limit, const std::string& path) {
  auto size = FileSize(file, path);
  if (!size) return Fail(size.error());
  char chunk[4096];
  uint64_t end = *size;
  while (end > 0 && *size - end < limit) {
    uint64_t begin = end > sizeof chunk ? end - sizeof chunk : 0;
    ssize_t n = ReadAt(file.fd.get(), chunk, end - begin, begin);
    if (n < 0) return Fail(SysError("cannot read log"), path);
    for (ssize_t i = n; i > 0; --i) {
      if (chunk[i - 1] == '\n') return begin + static_cast<uint64_t>(i);
    }
    end = begin;
  }
  return end == 0 ? 0 : *size;
}

std::string_view StripLineEnd(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  return line;
}

}  // namespace

struct LogFile::State {
  std::string path;
  const Clock* clock = nullptr;
  Decoder decoder;
  size_t block_size = 0;
  size_t max_line_bytes = 0;
  OpenFile cur;                   // the file the path names (fd closed once it vanished for long)
  std::optional<OpenFile> old;    // a rotated-away file, read to its end before `cur`
  double old_since = 0;
  std::optional<double> absent_since;
  std::string hash;
  double hash_next = 0;
  bool overlong_first_line = false;
  bool in_operation = false;
  std::vector<char> buffer;

  explicit State(Decoder d) : decoder(std::move(d)) {}

  Result<void> CheckRotation(ReadResult& result, const LineHandler& on_line);
  Result<void> Rotate(ReadResult& result, uint64_t size, uint64_t new_ino, std::optional<OpenFile> fresh,
                      const LineHandler& on_line);
  Result<std::string> Hash(const OpenFile& file);
  Result<bool> ReadFrom(OpenFile& file, const LineHandler& on_line, ReadResult& result, bool flush_partial);
  Result<bool> DrainOld(const LineHandler& on_line, ReadResult& result, bool writer_moved_on);
  bool Deliver(std::string_view line, const LineHandler& on_line, ReadResult& result);
};

Result<std::string> LogFile::State::Hash(const OpenFile& file) {
  auto line = FirstLine(file, max_line_bytes, path);
  if (!line) return Fail(line.error());
  hash_next = clock->Now() + kRehashInterval;
  overlong_first_line = line->empty() && FileSize(file, path).value_or(0) >= max_line_bytes;
  return line->empty() ? std::string() : Sha1Hex(*line);
}

// fail2ban's FileContainer.open, with the old file kept instead of dropped.
Result<void> LogFile::State::CheckRotation(ReadResult& result, const LineHandler& on_line) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT && errno != ENOTDIR) return Fail(SysError("cannot stat log"), path);
    result.absent = true;
    if (!absent_since) absent_since = clock->Now();
    return {};
  }
  absent_since.reset();
  if (S_ISDIR(st.st_mode)) return Fail("cannot open log: Is a directory", path);
  auto size = static_cast<uint64_t>(st.st_size);
  if (st.st_ino != cur.ino || st.st_dev != cur.dev) {
    auto fresh = OpenPath(path);
    if (!fresh) {
      if (::access(path.c_str(), F_OK) != 0) {  // gone again between stat and open
        result.absent = true;
        absent_since = clock->Now();
        return {};
      }
      return Fail(fresh.error());
    }
    auto fresh_size = FileSize(*fresh, path);
    if (!fresh_size) return Fail(fresh_size.error());
    uint64_t ino = fresh->ino;
    return Rotate(result, *fresh_size, ino, std::move(*fresh), on_line);
  }
  if (!cur.fd.valid()) {  // the same file came back (renamed back): go on where we were
    auto again = OpenPath(path);
    if (!again) return Fail(again.error());
    again->pos = cur.pos;
    cur = std::move(*again);
  }
  if (size < cur.pos) return Rotate(result, size, cur.ino, std::nullopt, on_line);
  if (clock->Now() >= hash_next || (hash.empty() && !overlong_first_line)) {
    auto now_hash = Hash(cur);
    if (!now_hash) return Fail(now_hash.error());
    if (*now_hash != hash) {
      if (!hash.empty()) return Rotate(result, size, cur.ino, std::nullopt, on_line);
      hash = std::move(*now_hash);  // the first line just became complete
    }
  }
  return {};
}

Result<void> LogFile::State::Rotate(ReadResult& result, uint64_t size, uint64_t new_ino,
                                    std::optional<OpenFile> fresh, const LineHandler& on_line) {
  std::string old_hash = hash;
  uint64_t old_ino = cur.ino;
  uint64_t old_pos = cur.pos;
  if (fresh) {
    if (cur.fd.valid()) {
      if (old) {  // a second rotation before the first old file was done with
        auto done = DrainOld(on_line, result, true);
        if (!done) return Fail(done.error());
        old.reset();  // even if the handler stopped: there is room for one old file only
      }
      old = std::move(cur);
      old_since = clock->Now();
    }
    cur = std::move(*fresh);
  }
  cur.pos = 0;
  cur.skipping = false;
  auto new_hash = Hash(cur);
  if (!new_hash) return Fail(new_hash.error());
  hash = std::move(*new_hash);
  result.rotated = true;
  result.rotation_reason = "(" + std::to_string(size) + ", " + std::to_string(old_pos) + ", " +
                           std::to_string(new_ino) + ", " + std::to_string(old_ino) + ", '" + hash + "', '" +
                           old_hash + "')";
  return {};
}

bool LogFile::State::Deliver(std::string_view line, const LineHandler& on_line, ReadResult& result) {
  ++result.lines;
  if (on_line(decoder.Decode(StripLineEnd(line)))) return true;
  result.stopped = true;
  return false;
}

// Hands out the complete lines of `file` from its position to its end; with
// `flush_partial` also a last line without '\n' (a file nobody writes any more).
// False when the handler stopped.
Result<bool> LogFile::State::ReadFrom(OpenFile& file, const LineHandler& on_line, ReadResult& result,
                                      bool flush_partial) {
  size_t filled = 0;  // buffer[0] is the byte at file.pos
  for (;;) {
    if (filled == buffer.size()) {
      if (buffer.size() < max_line_bytes) {
        buffer.resize(std::min(buffer.size() * 2, max_line_bytes));
      } else {  // a line longer than max_line_bytes: hand out its start, skip the rest
        bool was_skipping = std::exchange(file.skipping, true);
        file.pos += filled;
        filled = 0;
        if (!was_skipping && !Deliver({buffer.data(), buffer.size()}, on_line, result)) return false;
      }
    }
    ssize_t n = ReadAt(file.fd.get(), buffer.data() + filled, buffer.size() - filled, file.pos + filled);
    if (n < 0) return Fail(SysError("cannot read log"), path);
    if (n == 0) break;
    filled += static_cast<size_t>(n);
    size_t start = 0;
    while (const void* found = std::memchr(buffer.data() + start, '\n', filled - start)) {
      size_t end = static_cast<size_t>(static_cast<const char*>(found) - buffer.data());
      std::string_view line(buffer.data() + start, end - start);
      file.pos += end + 1 - start;
      start = end + 1;
      if (std::exchange(file.skipping, false)) continue;
      if (!Deliver(line, on_line, result)) return false;
    }
    if (start > 0) {
      std::memmove(buffer.data(), buffer.data() + start, filled - start);
      filled -= start;
    }
  }
  if (flush_partial && filled > 0) {
    file.pos += filled;
    if (!std::exchange(file.skipping, false) && !Deliver({buffer.data(), filled}, on_line, result)) return false;
  }
  return true;
}

// Reads the rotated-away file; closes it once the writer has moved to the new file
// (it had data before this drain began) or the grace time is over.
Result<bool> LogFile::State::DrainOld(const LineHandler& on_line, ReadResult& result, bool writer_moved_on) {
  bool done = writer_moved_on || clock->Now() - old_since >= kOldFileGrace;
  auto more = ReadFrom(*old, on_line, result, done);
  if (!more || !*more) return more;
  if (done) old.reset();
  return true;
}

Result<LogFile> LogFile::Open(std::string path, const LogFileOptions& options, const Clock& clock) {
  auto decoder = Decoder::Create(options.encoding);
  if (!decoder) return Fail(decoder.error());
  auto file = OpenPath(path);
  if (!file) return Fail(file.error());
  auto state = std::make_unique<State>(std::move(*decoder));
  state->path = std::move(path);
  state->clock = &clock;
  state->block_size = std::max<size_t>(options.block_size, 4096);
  state->max_line_bytes = std::max(options.max_line_bytes, state->block_size);
  state->buffer.resize(state->block_size);
  state->cur = std::move(*file);
  auto hash = state->Hash(state->cur);
  if (!hash) return Fail(hash.error());
  state->hash = std::move(*hash);
  if (options.tail) {
    auto start = TailStart(state->cur, state->max_line_bytes, state->path);
    if (!start) return Fail(start.error());
    state->cur.pos = *start;
    state->in_operation = true;
  } else if (options.saved && options.saved->first_line_hash == state->hash) {
    state->cur.pos = options.saved->offset;
  }
  return LogFile(std::move(state));
}

LogFile::LogFile(std::unique_ptr<State> state) : state_(std::move(state)) {}
LogFile::LogFile(LogFile&&) noexcept = default;
LogFile& LogFile::operator=(LogFile&&) noexcept = default;
LogFile::~LogFile() = default;

Result<ReadResult> LogFile::ReadLines(const LineHandler& on_line) {
  State& s = *state_;
  ReadResult result;
  if (auto checked = s.CheckRotation(result, on_line); !checked) return Fail(checked.error());
  if (result.stopped) return result;  // the handler said stop while a second rotation drained the first
  if (s.old) {
    // Measured before draining: data in the new file means the writer had reopened
    // before, so everything it wrote to the old file is there now.
    bool moved_on = s.cur.fd.valid() && FileSize(s.cur, s.path).value_or(0) > 0;
    auto more = s.DrainOld(on_line, result, moved_on);
    if (!more) return Fail(more.error());
    if (!*more) return result;
  }
  if (!s.cur.fd.valid()) return result;
  auto more = s.ReadFrom(s.cur, on_line, result, false);
  if (!more) return Fail(more.error());
  if (!*more) return result;
  result.at_end = !s.old;
  s.in_operation = true;
  if (result.absent && s.absent_since && s.clock->Now() - *s.absent_since >= kOldFileGrace) {
    s.cur.fd.Reset();  // gone for long: free the deleted file's space, keep inode and position
  }
  return result;
}

namespace {

// Reads lines at arbitrary offsets for the bisection; `line` is reused.
class LineProbe {
 public:
  LineProbe(const OpenFile& file, size_t limit, const std::string& path) : file_(file), limit_(limit), path_(path) {}

  // The start of the first line at or after `offset`; nullopt when none is in reach.
  Result<std::optional<uint64_t>> NextLineStart(uint64_t offset) {
    if (offset == 0) return uint64_t{0};
    auto line = LineAt(offset - 1);
    if (!line) return Fail(line.error());
    return *line;
  }
  // The complete line at `offset` in line(); the offset after it, or nullopt.
  Result<std::optional<uint64_t>> LineAt(uint64_t offset) {
    line_.clear();
    char chunk[4096];
    while (line_.size() < limit_) {
      ssize_t n = ReadAt(file_.fd.get(), chunk, sizeof chunk, offset + line_.size());
      if (n < 0) return Fail(SysError("cannot read log"), path_);
      if (n == 0) return std::nullopt;
      if (const void* nl = std::memchr(chunk, '\n', static_cast<size_t>(n))) {
        line_.append(chunk, static_cast<const char*>(nl) - chunk);
        return offset + line_.size() + 1;
      }
      line_.append(chunk, static_cast<size_t>(n));
    }
    return std::nullopt;
  }
  std::string_view line() const { return StripLineEnd(line_); }

 private:
  const OpenFile& file_;
  size_t limit_;
  const std::string& path_;
  std::string line_;
};

struct ProbedLine {
  std::optional<uint64_t> next;  // offset after the line; nullopt when it is incomplete
  std::optional<double> time;
};

}  // namespace

Result<void> LogFile::SeekToTime(double start, const TimeOfLine& time_of_line) {
  State& s = *state_;
  if (!s.cur.fd.valid()) return {};
  auto size = FileSize(s.cur, s.path);
  if (!size) return Fail(size.error());
  LineProbe probe(s.cur, s.max_line_bytes, s.path);
  // The line at `offset`: the offset after it (nullopt: no complete line) and its time.
  auto read_at = [&](uint64_t offset) -> Result<ProbedLine> {
    auto next = probe.LineAt(offset);
    if (!next) return Fail(next.error());
    if (!*next) return ProbedLine{};
    return ProbedLine{*next, time_of_line(s.decoder.Decode(probe.line()))};
  };
  // The first dated line among the 5 lines from `offset` (fail2ban looks as far).
  auto first_dated = [&](uint64_t offset, uint64_t limit) -> Result<ProbedLine> {
    for (int i = 0; i < 5 && offset < limit; ++i) {
      auto line = read_at(offset);
      if (!line) return Fail(line.error());
      if (!line->next || line->time) return *line;
      offset = *line->next;
    }
    return ProbedLine{};
  };
  uint64_t lo = s.cur.pos, hi = *size;  // the answer is a line start in [lo, hi]
  while (hi - lo > 2 * s.block_size) {
    auto p = probe.NextLineStart(lo + (hi - lo) / 2);
    if (!p) return Fail(p.error());
    if (!*p || **p >= hi) break;
    auto dated = first_dated(**p, hi);
    if (!dated) return Fail(dated.error());
    if (dated->time && *dated->time < start) {
      lo = *dated->next;
    } else {
      hi = **p;  // dated at or after start, or undated: the answer is not past here
    }
  }
  for (uint64_t at = lo; at < hi;) {  // the last stretch line by line
    auto line = read_at(at);
    if (!line) return Fail(line.error());
    if (!line->next || (line->time && *line->time >= start)) break;
    at = *line->next;
    if (line->time) lo = at;
  }
  s.cur.pos = lo;
  return {};
}

const std::string& LogFile::path() const { return state_->path; }
LogPosition LogFile::position() const { return {state_->hash, state_->cur.pos}; }
bool LogFile::in_operation() const { return state_->in_operation; }
bool LogFile::draining_old_file() const { return state_->old.has_value(); }

}  // namespace portcullis::log
