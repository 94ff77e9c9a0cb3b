#pragma once
// Checking filters against annotated sample logs, with fail2ban's sample-suite rules.
//
// A sample log is named after its filter (`sshd` is checked with filter.d/sshd.conf)
// and annotated with comment lines:
//   # failJSON: {"time": "2005-08-14T12:00:00", "match": true, "host": "192.0.2.1"}
//   # filterOptions: [{}, {"mode": "aggressive"}]   (each set loaded as sshd[mode=…])
//   # fileOptions: {...}, # addFILE: "other-sample"
// Every line (comments and blank lines aside) is run through the filter once per
// option set: a check. A line annotated "match": true must give exactly one failure
// whose captured fields equal the annotation; any other line must give none; and every
// failregex must be exercised by some sample. A check that does not hold is reported
// with the sample's file:line, what was expected and what the filter gave.

#include <string>
#include <vector>

#include "portcullis/base/clock.h"

namespace portcullis::samples {

struct CheckFailure {
  std::string file;     // sample file (or filter file for rules about the filter)
  int line = 0;         // 1-based line, 0 for file-wide problems
  std::string variant;  // the filter with options, e.g. "sshd[mode=aggressive]"
  std::string message;  // "expected …, got …" or what is wrong
};

struct SampleReport {
  std::string name;         // the sample's (and filter's) name
  std::string sample_file;
  std::string filter_file;  // empty when skipped
  bool skipped = false;     // no filter of that name in any config folder
  int checks = 0;           // line × option-set runs made
  int failed = 0;           // checks that did not hold
  std::vector<CheckFailure> failures;  // failed checks and file-wide problems

  bool ok() const { return !skipped && failures.empty(); }
};

struct SampleOptions {
  // Config folders, searched in order for filter.d/<name>.conf.
  std::vector<std::string> config_dirs;
  // "Now" for year inference and dateless lines.
  const Clock* clock = nullptr;
};

// Checks one sample log. Never throws; problems are in the report.
SampleReport CheckSample(const std::string& sample_path, const SampleOptions& options);

// The sample logs a path names: the file itself, or the regular files of a folder
// (sorted by name, sub-folders left out).
std::vector<std::string> ListSamples(const std::string& path);

}  // namespace portcullis::samples
