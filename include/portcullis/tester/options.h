#pragma once
// The options of fail2ban-regex 1.0.2, as plain values. tools/regex parses the command
// line into them (optparse rules); RegexTester runs with them.

#include <cstdint>
#include <optional>
#include <string>

namespace portcullis::tester {

inline constexpr const char* kFail2banVersion = "1.0.2";

struct Options {
  std::string config = "/etc/fail2ban";        // -c/--config
  std::optional<std::string> datepattern;      // -d/--datepattern (wins over the filter's)
  std::optional<std::string> timezone;         // --timezone/--TZ
  std::string encoding = "UTF-8";              // -e/--encoding
  bool raw = false;                            // -r/--raw: hosts taken raw, no DNS
  std::optional<std::string> usedns;           // --usedns yes|warn|no|raw
  int maxlines = 0;                            // -L/--maxlines (0: not given)
  std::optional<std::string> journalmatch;     // -m/--journalmatch (journal only)
  std::string log_level = "critical";          // -l/--log-level
  int verbose = 0;                             // -v (count) / --verbosity N
  bool verbose_date = false;                   // --verbose-date/--VD
  bool debuggex = false;                       // -D/--debuggex
  bool check_all_regex = true;                 // cleared by --no-check-all
  std::optional<std::string> out;              // -o/--out
  bool print_no_missed = false;
  bool print_no_ignored = false;
  bool print_all_matched = false;
  bool print_all_missed = false;
  bool print_all_ignored = false;
  bool log_traceback = false;                  // -t/--log-traceback (accepted, no effect)
  bool full_traceback = false;                 // --full-traceback (accepted, no effect)

  // Not fail2ban-regex's: a log file of at least `split_min_bytes` is read on `threads`
  // threads at once (0: one per core), in chunks each checked at its seam against the
  // chunk before it and read again in order where they differ. Same report either way.
  uint64_t split_min_bytes = uint64_t{8} << 20;
  unsigned threads = 0;
  // Tests: the calling thread reads the first chunk only and the helpers all the others,
  // so which chunks are checked does not depend on how the threads were scheduled.
  bool split_first_chunk_only = false;
};

}  // namespace portcullis::tester
