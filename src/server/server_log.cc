#include "portcullis/server/server_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <ctime>

namespace portcullis::server {

Result<LogLevel> ParseLogLevel(std::string_view text) {
  std::string upper;
  for (char c : text) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  struct Name {
    const char* name;
    LogLevel level;
  };
  static constexpr Name kNames[] = {{"CRITICAL", LogLevel::kCritical}, {"FATAL", LogLevel::kCritical},
                                    {"ERROR", LogLevel::kError},       {"WARNING", LogLevel::kWarning},
                                    {"WARN", LogLevel::kWarning},      {"NOTICE", LogLevel::kNotice},
                                    {"INFO", LogLevel::kInfo},         {"DEBUG", LogLevel::kDebug},
                                    {"TRACEDEBUG", LogLevel::kDebug},  {"HEAVYDEBUG", LogLevel::kDebug}};
  for (const Name& n : kNames)
    if (upper == n.name) return n.level;
  int number = 0;
  auto [end, ec] = std::from_chars(upper.data(), upper.data() + upper.size(), number);
  if (ec == std::errc() && end == upper.data() + upper.size()) {
    // fail2ban's old numeric levels 0..4: CRITICAL, ERROR, WARNING, INFO, DEBUG.
    static constexpr LogLevel kOld[] = {LogLevel::kCritical, LogLevel::kError, LogLevel::kWarning,
                                        LogLevel::kInfo, LogLevel::kDebug};
    if (number >= 0 && number <= 4) return kOld[number];
    if (number >= 50) return LogLevel::kCritical;
    if (number >= 40) return LogLevel::kError;
    if (number >= 30) return LogLevel::kWarning;
    if (number >= 25) return LogLevel::kNotice;
    if (number >= 20) return LogLevel::kInfo;
    return LogLevel::kDebug;
  }
  return Fail("Invalid log level", {}, 0, std::string(text));
}

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kCritical: return "CRITICAL";
    case LogLevel::kError: return "ERROR";
    case LogLevel::kWarning: return "WARNING";
    case LogLevel::kNotice: return "NOTICE";
    case LogLevel::kInfo: return "INFO";
    case LogLevel::kDebug: return "DEBUG";
  }
  return "INFO";
}

ServerLog::ServerLog(const Clock& clock) : clock_(clock), target_("STDERR"), out_(stderr) { RefreshPid(); }

ServerLog::~ServerLog() {
  Flush();
  if (owned_ && out_) std::fclose(out_);
}

void ServerLog::RefreshPid() {
  std::lock_guard lock(mu_);
  pid_ = std::to_string(::getpid());
}

void ServerLog::Flush() {
  std::lock_guard lock(mu_);
  if (buffer_.empty()) return;
  std::fwrite(buffer_.data(), 1, buffer_.size(), out_);
  std::fflush(out_);
  buffer_.clear();
}

Result<void> ServerLog::SetTarget(const std::string& target) {
  std::string upper;
  for (char c : target) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  FILE* out = nullptr;
  bool owned = false;
  bool with_time = true;
  if (upper == "STDOUT") {
    out = stdout;
  } else if (upper == "STDERR") {
    out = stderr;
  } else if (upper == "SYSOUT") {
    out = stdout;
    with_time = false;
  } else if (upper == "SYSLOG" || upper == "SYSTEMD-JOURNAL") {
    out = stderr;
    with_time = false;
  } else {
    int fd = ::open(target.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) return Fail(std::string("cannot open log target: ") + std::strerror(errno), target);
    out = ::fdopen(fd, "a");
    if (!out) {
      ::close(fd);
      return Fail(std::string("cannot open log target: ") + std::strerror(errno), target);
    }
    owned = true;
  }
  Flush();
  std::lock_guard lock(mu_);
  if (owned_ && out_) std::fclose(out_);
  out_ = out;
  owned_ = owned;
  with_time_ = with_time;
  target_ = target;
  return {};
}

Result<void> ServerLog::Reopen() {
  if (!owned_) return {};
  return SetTarget(target_);
}

void ServerLog::Write(LogLevel level, std::string_view logger, std::string_view message) {
  if (!Enabled(level)) return;
  double now = clock_.Now();
  std::unique_lock lock(mu_);
  std::string& line_ = buffer_;
  if (buffer_.empty()) first_waiting_ = now;
  if (with_time_) {
    time_t seconds = static_cast<time_t>(std::floor(now));
    int millis = static_cast<int>((now - std::floor(now)) * 1000);
    struct tm local {};
    ::localtime_r(&seconds, &local);
    char stamp[64];
    size_t n = std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &local);
    std::snprintf(stamp + n, sizeof stamp - n, ",%03d ", millis);
    line_ += stamp;
  }
  line_ += logger;
  if (logger.size() < 24) line_.append(24 - logger.size(), ' ');
  line_ += '[';
  line_ += pid_;
  line_ += "]: ";
  std::string_view name = LogLevelName(level);
  line_ += name;
  if (name.size() < 7) line_.append(7 - name.size(), ' ');
  line_ += ' ';
  line_ += message;
  line_ += '\n';
  if (buffer_.size() >= 64 * 1024 || level >= LogLevel::kWarning || now - first_waiting_ >= 0.1) {
    std::fwrite(buffer_.data(), 1, buffer_.size(), out_);
    std::fflush(out_);
    buffer_.clear();
  }
}

}  // namespace portcullis::server
