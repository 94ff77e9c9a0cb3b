// portcullis-regex: fail2ban-regex 1.0.2, command line and report. Link or copy it as
// fail2ban-regex; it behaves the same under any name.
//
//   portcullis-regex [OPTIONS] <LOG> <REGEX> [IGNOREREGEX]
//
// The command line follows Python optparse's rules, as fail2ban-regex's does: long
// options may be abbreviated to a unique prefix (--print-all-ma), take their value as
// --opt=value or --opt value, short flags combine (-vvv, -vr), short values may be
// attached (-L5); options and arguments may be mixed.

#include <algorithm>
#include <boost/program_options.hpp>
#include <cctype>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "portcullis/base/clock.h"
#include "portcullis/tester/regex_tester.h"
#include "portcullis/tester/resolver.h"

namespace po = boost::program_options;
using portcullis::tester::Options;

namespace {

constexpr int kUsageError = 2;  // optparse's exit code for a bad command line

std::string Usage(const char* argv0) { return std::string("Usage: ") + argv0 + " [OPTIONS] <LOG> <REGEX> [IGNOREREGEX]\n"; }

const char kHelpBody[] = R"(
Fail2Ban reads log file that contains password failure report
and bans the corresponding IP addresses using firewall rules.

This tools can test regular expressions for "fail2ban".

LOG:
  string                a string representing a log line
  filename              path to a log file (/var/log/auth.log)
  systemd-journal       search systemd journal (not supported by this build)

REGEX:
  string                a string representing a 'failregex'
  filter                name of filter, optionally with options (sshd[mode=aggressive])
  filename              path to a filter file (filter.d/sshd.conf)

IGNOREREGEX:
  string                a string representing an 'ignoreregex'

Options:
  --version             show program's version number and exit
  -h, --help            show this help message and exit
  -c CONFIG, --config=CONFIG
                        set alternate config directory
  -d DATEPATTERN, --datepattern=DATEPATTERN
                        set custom pattern used to match date/times
  --timezone=TIMEZONE, --TZ=TIMEZONE
                        set time-zone used by convert time format
  -e ENCODING, --encoding=ENCODING
                        File encoding. Default: system locale
  -r, --raw             Raw hosts, don't resolve dns
  --usedns=USEDNS       DNS specified replacement of tags <HOST> in regexp
                        ('yes' - matches all form of hosts, 'no' - IP
                        addresses only)
  -L MAXLINES, --maxlines=MAXLINES
                        maxlines for multi-line regex.
  -m JOURNALMATCH, --journalmatch=JOURNALMATCH
                        journalctl style matches overriding filter file.
                        "systemd-journal" only
  -l LOG_LEVEL, --log-level=LOG_LEVEL
                        Log level for the Fail2Ban logger to use
  -V                    get version in machine-readable short format
  -v, --verbose         Increase verbosity
  --verbosity=VERBOSE   Set numerical level of verbosity (0..4)
  --verbose-date, --VD  Verbose date patterns/regex in output
  -D, --debuggex        Produce debuggex.com urls for debugging there
  --no-check-all        Disable check for all regex's
  -o OUT, --out=OUT     Set token to print failure information only (row, id,
                        ip, msg, host, ip4, ip6, dns, matches, ...)
  --print-no-missed     Do not print any missed lines
  --print-no-ignored    Do not print any ignored lines
  --print-all-matched   Print all matched lines
  --print-all-missed    Print all missed lines, no matter how many
  --print-all-ignored   Print all ignored lines, no matter how many
  -t, --log-traceback   Enrich log-messages with compressed tracebacks
  --full-traceback      Either to make the tracebacks full, not compressed (as
                        by default)


Report bugs to the portcullis project (this is portcullis-regex, a
reimplementation of fail2ban-regex 1.0.2).
)";

[[noreturn]] void UsageError(const char* argv0, const std::string& message) {
  std::cerr << Usage(argv0) << "\nfail2ban-regex: error: " << message << "\n";
  std::exit(kUsageError);
}

// Python's int() on a command-line value; nullopt when it is none.
std::optional<int> ParseInt(std::string text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  size_t start = text.find_first_not_of(" \t\n\r\f\v");
  if (start == std::string::npos) return std::nullopt;
  text = text.substr(start);
  size_t i = (text[0] == '+' || text[0] == '-') ? 1 : 0;
  if (i == text.size() || text.size() > 11) return std::nullopt;
  for (size_t k = i; k < text.size(); ++k)
    if (!std::isdigit(static_cast<unsigned char>(text[k]))) return std::nullopt;
  return std::stoi(text);
}

po::options_description Descriptions() {
  po::options_description d;
  auto flag = [] { return po::value<std::string>()->zero_tokens(); };
  auto value = [] { return po::value<std::string>(); };
  d.add_options()
      ("help,h", flag())("version", flag())("config,c", value())("datepattern,d", value())
      ("timezone", value())("TZ", value())("encoding,e", value())("raw,r", flag())("usedns", value())
      ("maxlines,L", value())("journalmatch,m", value())("log-level,l", value())(",V", flag())
      ("verbose,v", flag())("verbosity", value())("verbose-date", flag())("VD", flag())
      ("debuggex,D", flag())("no-check-all", flag())("out,o", value())("print-no-missed", flag())
      ("print-no-ignored", flag())("print-all-matched", flag())("print-all-missed", flag())
      ("print-all-ignored", flag())("log-traceback,t", flag())("full-traceback", flag())
      ("args", po::value<std::vector<std::string>>());
  return d;
}

// The option as the user wrote it, for messages ("-L" or "--maxlines").
std::string Spelling(const po::option& o) {
  if (!o.original_tokens.empty() && o.original_tokens[0].starts_with("--")) return "--" + o.string_key;
  return o.string_key == "-V" ? "-V" : "-" + std::string(1, o.original_tokens.empty() ? '?' : o.original_tokens[0][1]);
}

// Applies one parsed option, in command-line order (as optparse does).
void Apply(const po::option& o, Options& opts, std::vector<std::string>& args, const char* argv0) {
  const std::string& key = o.string_key;
  const std::string value = o.value.empty() ? "" : o.value[0];
  if (key == "args") {
    args.insert(args.end(), o.value.begin(), o.value.end());
  } else if (key == "help") {
    std::cout << Usage(argv0) << kHelpBody;
    std::exit(0);
  } else if (key == "version") {
    std::cout << "fail2ban-regex " << portcullis::tester::kFail2banVersion << "\n";
    std::exit(0);
  } else if (key == "-V") {
    std::cout << portcullis::tester::kFail2banVersion << "\n";
    std::exit(0);
  } else if (key == "config") opts.config = value;
  else if (key == "datepattern") opts.datepattern = value;
  else if (key == "timezone" || key == "TZ") opts.timezone = value;
  else if (key == "encoding") opts.encoding = value;
  else if (key == "raw") opts.raw = true;
  else if (key == "usedns") opts.usedns = value;
  else if (key == "maxlines" || key == "verbosity") {
    std::optional<int> n = ParseInt(value);
    if (!n) UsageError(argv0, "option " + Spelling(o) + ": invalid integer value: '" + value + "'");
    (key == "maxlines" ? opts.maxlines : opts.verbose) = *n;
  } else if (key == "journalmatch") opts.journalmatch = value;
  else if (key == "log-level") opts.log_level = value;
  else if (key == "verbose") ++opts.verbose;
  else if (key == "verbose-date" || key == "VD") opts.verbose_date = true;
  else if (key == "debuggex") opts.debuggex = true;
  else if (key == "no-check-all") opts.check_all_regex = false;
  else if (key == "out") opts.out = value;
  else if (key == "print-no-missed") opts.print_no_missed = true;
  else if (key == "print-no-ignored") opts.print_no_ignored = true;
  else if (key == "print-all-matched") opts.print_all_matched = true;
  else if (key == "print-all-missed") opts.print_all_missed = true;
  else if (key == "print-all-ignored") opts.print_all_ignored = true;
  else if (key == "log-traceback") opts.log_traceback = true;
  else if (key == "full-traceback") opts.full_traceback = true;
}

// optparse's wording of what Program_options found wrong.
std::string OptparseMessage(const po::error& e) {
  if (const auto* a = dynamic_cast<const po::ambiguous_option*>(&e)) {
    std::vector<std::string> alternatives = a->alternatives();
    std::sort(alternatives.begin(), alternatives.end());  // optparse lists them sorted
    std::string list;
    for (const std::string& alt : alternatives) list += (list.empty() ? "--" : ", --") + alt;
    return "ambiguous option: " + a->get_option_name() + " (" + list + "?)";
  }
  if (const auto* u = dynamic_cast<const po::unknown_option*>(&e)) return "no such option: " + u->get_option_name();
  if (const auto* s = dynamic_cast<const po::invalid_command_line_syntax*>(&e)) {
    if (s->kind() == po::invalid_syntax::missing_parameter)
      return s->get_option_name() + " option requires 1 argument";
    if (s->kind() == po::invalid_syntax::extra_parameter)
      return s->get_option_name() + " option does not take a value";
  }
  return e.what();
}

std::vector<std::string> ParseCommandLine(int argc, char** argv, Options& opts) {
  po::options_description descriptions = Descriptions();
  po::positional_options_description positional;
  positional.add("args", -1);
  using namespace po::command_line_style;
  const int style = allow_long | long_allow_adjacent | long_allow_next | allow_short | short_allow_adjacent |
                    short_allow_next | allow_sticky | allow_dash_for_short | allow_guessing;
  po::parsed_options parsed(&descriptions);
  try {
    parsed = po::command_line_parser(argc, argv).options(descriptions).positional(positional).style(style).run();
  } catch (const po::error& e) {
    UsageError(argv[0], OptparseMessage(e));
  }
  std::vector<std::string> args;
  for (const po::option& o : parsed.options) Apply(o, opts, args, argv[0]);
  return args;
}

}  // namespace

int main(int argc, char** argv) {
  portcullis::PinLocalTimeZone();
  try {
    Options opts;
    std::vector<std::string> args = ParseCommandLine(argc, argv, opts);
    std::vector<std::string> errors;
    if (opts.print_no_missed && opts.print_all_missed)
      errors.push_back("ERROR: --print-no-missed and --print-all-missed are mutually exclusive.");
    if (opts.print_no_ignored && opts.print_all_ignored)
      errors.push_back("ERROR: --print-no-ignored and --print-all-ignored are mutually exclusive.");
    if (args.size() != 2 && args.size() != 3) errors.push_back("ERROR: provide both <LOG> and <REGEX>.");
    if (!errors.empty()) {
      std::cout << Usage(argv[0]) << kHelpBody << std::flush;
      std::cerr << "\n";
      for (const std::string& e : errors) std::cerr << e << "\n";
      return portcullis::tester::kExitError;
    }
    std::ios::sync_with_stdio(false);
    // Not options of fail2ban-regex, so not on the command line: the size from which a
    // log file is read in segments on several threads, and how many (tests, benchmarks).
    if (const char* v = std::getenv("PORTCULLIS_REGEX_SPLIT_MIN_BYTES")) opts.split_min_bytes = std::strtoull(v, nullptr, 10);
    if (const char* v = std::getenv("PORTCULLIS_REGEX_THREADS")) opts.threads = static_cast<unsigned>(std::strtoul(v, nullptr, 10));
    portcullis::SystemClock system_clock;
    portcullis::CoarseClock clock(system_clock);  // asked several times a line
    portcullis::tester::SystemResolver resolver;
    portcullis::tester::RegexTester tester(opts, clock, &resolver, portcullis::tester::FileSystemView::Real());
    tester.set_host_lookup([&resolver](const portcullis::IpAddr& ip) { return resolver.HostName(ip); });
    return tester.Run(args, std::cout, std::cerr);
  } catch (const std::exception& e) {
    std::cerr << "fail2ban-regex: " << e.what() << "\n";
    return portcullis::tester::kExitError;
  }
}
