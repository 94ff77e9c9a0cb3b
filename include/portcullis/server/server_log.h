#pragma once
// The server's own log, in fail2ban's line format, so that tools reading fail2ban's
// log (the stock `recidive` jail, logwatch scripts) read ours unchanged:
//
//   2026-12-01 00:55:42,123 fail2ban.actions        [4242]: NOTICE  [sshd] Ban 192.0.2.1
//
// (`%(asctime)s %(name)-24s[%(process)d]: %(levelname)-7s %(message)s`; no time for
// the SYSOUT target, as fail2ban). Thread-safe: jails log from their own threads.

#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>

#include "portcullis/base/clock.h"
#include "portcullis/base/error.h"

namespace portcullis::server {

// fail2ban's levels with Python's numbers (NOTICE is fail2ban's 25).
enum class LogLevel { kCritical = 50, kError = 40, kWarning = 30, kNotice = 25, kInfo = 20, kDebug = 10 };

// "INFO", "notice", "debug", numbers ("20"), and fail2ban's old 0..4 are accepted.
// Error: "Invalid log level" with the text as fragment.
Result<LogLevel> ParseLogLevel(std::string_view text);
// "INFO", "NOTICE", ...
std::string_view LogLevelName(LogLevel level);

class ServerLog {
 public:
  explicit ServerLog(const Clock& clock);
  ~ServerLog();
  ServerLog(const ServerLog&) = delete;
  ServerLog& operator=(const ServerLog&) = delete;

  // fail2ban's logtarget: a file path (appended to, created 0640), STDOUT, STDERR,
  // SYSOUT (stdout without time), SYSLOG (portcullis writes to stderr then, without
  // time: under systemd that lands in the journal). Error: the file cannot be opened.
  Result<void> SetTarget(const std::string& target);
  // Reopens a file target (after logrotate: `flushlogs`, SIGUSR1 is not used).
  Result<void> Reopen();
  const std::string& target() const { return target_; }

  void set_level(LogLevel level) { level_ = level; }
  LogLevel level() const { return level_; }
  bool Enabled(LogLevel level) const { return static_cast<int>(level) >= static_cast<int>(level_); }

  // One line: `logger` is fail2ban's logger name ("fail2ban.actions"). Lines are
  // buffered: written out when 64 KiB are waiting, at WARNING and above, 100 ms after
  // the first waiting line at the next Write, or by Flush (each jail flushes after each
  // read round, the main loop several times a second).
  void Write(LogLevel level, std::string_view logger, std::string_view message);
  void Flush();
  // The pid in each line; call after a fork (-b).
  void RefreshPid();

 private:
  const Clock& clock_;
  std::mutex mu_;
  std::string target_;
  FILE* out_ = nullptr;
  bool owned_ = false;      // out_ is a file we opened
  bool with_time_ = true;
  LogLevel level_ = LogLevel::kInfo;
  std::string buffer_;      // lines not yet written
  double first_waiting_ = 0;  // when the oldest waiting line was written
  std::string pid_;
};

}  // namespace portcullis::server
