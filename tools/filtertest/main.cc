// portcullis-filtertest: checks filters against annotated sample logs (fail2ban's
// sample-suite rules), for CI.
//
//   portcullis-filtertest [--config DIR]... [--now EPOCH] [--json] SAMPLE...

#include <boost/program_options.hpp>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "portcullis/base/clock.h"
#include "portcullis/base/json.h"
#include "portcullis/samples/sample_check.h"

namespace po = boost::program_options;
using portcullis::samples::SampleReport;

namespace {

struct Options {
  std::vector<std::string> config_dirs;
  std::vector<std::string> samples;
  std::optional<double> now;
  bool json = false;
};

const char kUsage[] =
    "Usage: portcullis-filtertest [--config DIR]... [--now EPOCH] [--json] SAMPLE...\n"
    "Checks each sample log against the filter of the same name (DIR/filter.d/NAME.conf,\n"
    "the first --config folder that has it), with fail2ban's sample-suite rules.\n";

// Parses the command line; nullopt after printing help or an error (exit code set).
std::optional<Options> ParseCommandLine(int argc, char** argv, int& exit_code) {
  Options options;
  double now = 0;
  po::options_description visible("Options");
  visible.add_options()
      ("help,h", "print this help")
      ("config,c", po::value(&options.config_dirs), "config folder holding filter.d (repeatable; default /etc/fail2ban)")
      ("now", po::value(&now), "the current time as epoch seconds (year inference, dateless lines)")
      ("json", po::bool_switch(&options.json), "print one JSON document instead of text");
  po::options_description all;
  all.add(visible).add_options()("sample", po::value(&options.samples));
  po::positional_options_description positional;
  positional.add("sample", -1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "portcullis-filtertest: " << e.what() << "\n" << kUsage;
    exit_code = 2;
    return std::nullopt;
  }
  if (vm.count("help") || options.samples.empty()) {
    (vm.count("help") ? std::cout : std::cerr) << kUsage << visible;
    exit_code = vm.count("help") ? 0 : 2;
    return std::nullopt;
  }
  if (vm.count("now")) options.now = now;
  if (options.config_dirs.empty()) options.config_dirs.push_back("/etc/fail2ban");
  return options;
}

void PrintText(const SampleReport& r) {
  if (r.skipped) {
    std::cout << "skipped " << r.name << ": no filter.d/" << r.name << ".conf in the config folders\n";
    return;
  }
  if (r.ok()) {
    std::cout << "ok      " << r.name << ": " << r.checks << " checks\n";
    return;
  }
  std::cout << "FAIL    " << r.name << ": " << r.checks << " checks, " << r.failed << " failed\n";
  for (const auto& f : r.failures) {
    std::cout << "  " << f.file;
    if (f.line > 0) std::cout << ":" << f.line;
    std::cout << ": " << (f.variant.empty() ? "" : f.variant + ": ") << f.message << "\n";
  }
}

portcullis::json::Value ToJson(const SampleReport& r) {
  using portcullis::json::Array;
  using portcullis::json::Object;
  Array failures;
  for (const auto& f : r.failures)
    failures.emplace_back(Object{{"file", f.file}, {"line", f.line}, {"variant", f.variant}, {"message", f.message}});
  std::string status = r.skipped ? "skipped" : (r.ok() ? "ok" : "failed");
  return Object{{"name", r.name}, {"sample", r.sample_file}, {"filter", r.filter_file},
                {"status", status}, {"checks", r.checks}, {"failed", r.failed},
                {"failures", std::move(failures)}};
}

int Run(const Options& options) {
  std::unique_ptr<portcullis::Clock> clock;
  if (options.now) clock = std::make_unique<portcullis::FakeClock>(*options.now);
  else clock = std::make_unique<portcullis::SystemClock>();
  portcullis::samples::SampleOptions sample_options{options.config_dirs, clock.get()};
  int passed = 0, failed = 0;
  bool any_problem = false;
  portcullis::json::Array reports;
  for (const std::string& arg : options.samples) {
    for (const std::string& path : portcullis::samples::ListSamples(arg)) {
      SampleReport r = portcullis::samples::CheckSample(path, sample_options);
      passed += r.checks - r.failed;
      failed += r.failed;
      any_problem |= !r.skipped && !r.ok();
      if (options.json) reports.push_back(ToJson(r));
      else PrintText(r);
    }
  }
  if (options.json) {
    portcullis::json::Value doc = portcullis::json::Object{
        {"samples", std::move(reports)}, {"passed", passed}, {"failed", failed}};
    std::cout << doc.Dump() << "\n";
  } else {
    std::cout << passed << " passed, " << failed << " failed\n";
  }
  return any_problem || failed ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  portcullis::PinLocalTimeZone();
  try {
    int exit_code = 0;
    auto options = ParseCommandLine(argc, argv, exit_code);
    if (!options) return exit_code;
    return Run(*options);
  } catch (const std::exception& e) {
    std::cerr << "portcullis-filtertest: " << e.what() << "\n";
    return 2;
  }
}
