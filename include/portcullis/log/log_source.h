#pragma once
// Log sources: what tells a jail's filter thread that one of its log files may have
// new lines. fail2ban's backends (filterpyinotify.py, filterpoll.py) without the
// reading, which LogFile does.
//
//   auto source = log::MakeLogSource(*log::ParseBackend(jail.backend));
//   (*source)->Add("/var/log/auth.log");
//   std::vector<log::LogEvent> events;
//   while (running) {
//     (*source)->Wait(std::chrono::seconds(1), events);   // wakes at once on a change
//     for (auto& e : events) if (e.kind == log::LogEvent::Kind::kChanged) files[e.path].ReadLines(...);
//     events.clear();
//   }
//
// A source reports every path once right after Add (kChanged if the file is there,
// kAbsent if not), so the first read needs no special case.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "portcullis/base/error.h"

namespace portcullis::log {

struct LogEvent {
  enum class Kind {
    kChanged,  // the file may have new lines, or was rotated: read it
    kAbsent,   // "Log absence detected (possibly rotation) for <path>, reason: <reason>"
    kPresent,  // "Log presence detected for file <path>" (a kChanged follows)
  };
  Kind kind = Kind::kChanged;
  std::string path;
  std::string reason;  // what was seen, for kAbsent ("IN_MOVED_FROM", "No such file or directory")

  bool operator==(const LogEvent&) const = default;
};

class LogSource {
 public:
  virtual ~LogSource() = default;

  // fail2ban's name of the backend in use ("pyinotify", "polling"), for "Initiated
  // 'pyinotify' backend".
  virtual std::string_view name() const = 0;
  // Starts watching `path` (a file that need not exist yet). Error only when the
  // watch cannot be set up at all (inotify out of watches).
  virtual Result<void> Add(const std::string& path) = 0;
  // Stops watching `path`; unknown paths are ignored.
  virtual void Remove(const std::string& path) = 0;
  // Waits until something happened to a watched path, `timeout` passed or
  // Interrupt() was called, and appends what happened to `events` (one kChanged per
  // path at most, after the path's kAbsent/kPresent). Returns at once while events
  // are pending. Error when the underlying wait fails.
  virtual Result<void> Wait(std::chrono::milliseconds timeout, std::vector<LogEvent>& events) = 0;
  // Wakes a Wait running in another thread (jail stop). Thread-safe.
  virtual void Interrupt() = 0;
};

// A jail's `backend`, in fail2ban's names.
enum class Backend {
  kAuto,     // inotify when the kernel offers it, else polling
  kPolling,  // polling
  kInotify,  // pyinotify, gamin (gone from current systems) and our own "inotify"
  kSystemd,  // systemd: not supported yet
};

// Reads a `backend` value: case-insensitive, options in brackets (`polling[...]`)
// ignored. Error as fail2ban's: "Unknown backend foo. Must be among ['pyinotify',
// 'gamin', 'polling', 'systemd'] or 'auto'".
Result<Backend> ParseBackend(std::string_view text);

struct LogSourceOptions {
  // Polling: the first check after a change comes after `poll_min`; each quiet check
  // doubles the interval up to `poll_max`.
  std::chrono::milliseconds poll_min{50};
  std::chrono::milliseconds poll_max{1000};
  // Missing files and folders (inotify): re-checked after `retry_min`, doubling up to
  // `retry_max` (fail2ban: 0.2 s up to 60 s). A folder's watch sees a new file at
  // once anyway; this covers a folder that is itself missing.
  std::chrono::milliseconds retry_min{200};
  std::chrono::milliseconds retry_max{60000};
};

// The source for a backend. kAuto is inotify, or polling where inotify cannot be
// initialised. Error for kSystemd ("backend 'systemd' is not supported yet: ...")
// and when kInotify is asked for but the kernel refuses it.
Result<std::unique_ptr<LogSource>> MakeLogSource(Backend backend, const LogSourceOptions& options = {});

// The two implementations, for tests and for callers that want one by name.
Result<std::unique_ptr<LogSource>> MakeInotifySource(const LogSourceOptions& options = {});
std::unique_ptr<LogSource> MakePollingSource(const LogSourceOptions& options = {});

}  // namespace portcullis::log
