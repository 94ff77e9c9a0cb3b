#pragma once
// fail2ban-regex: runs a filter (or a literal failregex) over a log file or log text
// and prints fail2ban-regex 1.0.2's report, line for line:
//
//   Running tests / Use … lines / Results / Prefregex / Failregex / Ignoreregex /
//   Date template hits / Lines: N lines, I ignored, M matched, X missed /
//   [processed in … sec] / matched, ignored and missed lines
//
// or, with -o/--out, one line per failure (see out_format.h).
//
//   RegexTester tester(options, clock, &resolver, FileSystemView::Real());
//   int code = tester.Run({"/var/log/auth.log", "sshd[mode=aggressive]"}, std::cout);
//
// Everything fail2ban-regex prints goes to `out` (its errors too: fail2ban-regex prints
// "ERROR: …" on stdout); Run returns 0 after a run and 255 after an error.

#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "portcullis/base/clock.h"
#include "portcullis/filter/filter.h"
#include "portcullis/tester/arguments.h"
#include "portcullis/tester/options.h"

namespace portcullis::tester {

inline constexpr int kExitError = 255;

class RegexTester {
 public:
  // `clock` (and `resolver`, when given) must outlive the tester.
  RegexTester(Options options, const Clock& clock, filter::Resolver* resolver, FileSystemView fs);
  ~RegexTester();

  // Runs on LOG REGEX [IGNOREREGEX] (2 or 3 arguments). Returns 0 or kExitError.
  // What this build cannot do (the systemd journal) is reported on `err`.
  int Run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

  // How many chunks of the log the last Run took from other threads' reading, plus one
  // (1: a single pass; see Options::split_min_bytes).
  size_t segments() const;

  // Reverse DNS for <ip-host> in -o templates (optional).
  void set_host_lookup(std::function<std::optional<std::string>(const IpAddr&)> lookup);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace portcullis::tester
