// portcullis-client: fail2ban-client 1.0.2's command line and output, over portcullis'
// control socket (docs/portcullis-client.md).
//
//   portcullis-client [OPTIONS] <COMMAND>
//
// Options come before the command words (as with fail2ban-client's getopt): -c DIR reads
// DIR/fail2ban.conf's `socket`, -s SOCKET names it directly, --json prints the result as
// JSON instead of fail2ban's text. Exit 0 on success, 255 on any error.

#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <exception>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "portcullis/base/duration.h"
#include "portcullis/config/config_tree.h"
#include "portcullis/control/beautifier.h"
#include "portcullis/control/protocol.h"
#include "portcullis/platform/unix_client.h"

namespace {

using namespace std::chrono_literals;
using portcullis::Result;
namespace control = portcullis::control;
namespace platform = portcullis::platform;

constexpr int kFailure = 255;  // fail2ban-client's exit code for every error
constexpr char kVersion[] = PORTCULLIS_VERSION;
constexpr char kDefaultSocket[] = "/var/run/fail2ban/fail2ban.sock";

struct ClientOptions {
  std::string conf = "/etc/fail2ban";
  std::optional<std::string> socket;
  bool json = false;
  int verbose = 1;
  std::chrono::milliseconds timeout = 300s;  // for the reply: a reload may take a while
  std::vector<std::string> words;
};

// fail2ban's log line on stderr: "2024-01-02 10:00:00,123 portcullis    [42]: ERROR   text".
void Log(const char* level, const std::string& text) {
  timeval now{};
  ::gettimeofday(&now, nullptr);
  std::tm local{};
  ::localtime_r(&now.tv_sec, &local);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &local);
  std::fprintf(stderr, "%s,%03d %-24s[%d]: %-7s %s\n", stamp, static_cast<int>(now.tv_usec / 1000), "portcullis",
               static_cast<int>(::getpid()), level, text.c_str());
}

void Usage(const char* argv0) {
  std::cout << "Usage: " << std::filesystem::path(argv0).filename().string() << " [OPTIONS] <COMMAND>\n\n"
            << "portcullis v" << kVersion << ", a drop-in for fail2ban: it reads log files that contain\n"
            << "password failure reports and bans the corresponding IP addresses using firewall rules.\n\n"
            << R"(Options:
    -c, --conf <DIR>        configuration directory (its fail2ban.conf names the socket)
    -s, --socket <FILE>     socket path
    -p, --pidfile <FILE>    pidfile path (accepted, not used)
    --json                  print the result as JSON instead of fail2ban-client's text
    --timeout <TIME>        how long to wait for the server's reply (default 5m)
    -v                      increase verbosity
    -q                      decrease verbosity
    -h, --help              display this help message
    -V, --version           print the version (-V returns machine-readable short format)

Command:
    start <JAIL>                             starts the jail <JAIL>
    restart [--unban] [--if-exists] <JAIL>   alias for 'reload --restart ... <JAIL>'
    reload [--restart] [--unban] [--all]     reloads the configuration
    reload [--restart] [--unban] [--if-exists] <JAIL>
                                             reloads the jail <JAIL>
    stop                                     stops all jails and terminates the server
    stop <JAIL>                              stops the jail <JAIL>
    unban --all                              unbans all IP addresses
    unban <IP> ... <IP>                      unbans <IP> in all jails
    banned                                   the jails with their banned IPs
    banned <IP> ... <IP>                     the jails where each <IP> is banned
    status                                   the jails of the server
    status <JAIL> [basic|short]              the status of the jail <JAIL>
    ping                                     tests if the server is alive
    version                                  the server's version
    set <JAIL> banip <IP> ... <IP>           bans <IP> in <JAIL>
    set <JAIL> unbanip [--report-absent] <IP> ... <IP>
                                             unbans <IP> in <JAIL>
    get <JAIL> banned [<IP> ... <IP>]        the IPs banned in <JAIL>
    get <JAIL> bantime|findtime|maxretry|maxmatches|logpath|ignoreip|actions
    set loglevel <LEVEL> | get loglevel
    set dbpurgeage <TIME> | get dbpurgeage

Report bugs to the portcullis issue tracker.
)";
}

enum class Parsed { kRun, kDone, kBad };

// Takes an option's value: "-cDIR", "-c DIR", "--conf=DIR", "--conf DIR".
std::optional<std::string> Value(const std::string& arg, size_t name_length, int& i, int argc, char** argv) {
  if (arg.size() > name_length) return arg.substr(arg[name_length] == '=' ? name_length + 1 : name_length);
  if (i + 1 < argc) return std::string(argv[++i]);
  return std::nullopt;
}

Parsed ParseLongOption(const std::string& arg, int& i, int argc, char** argv, ClientOptions& options) {
  std::string name = arg.substr(0, arg.find('='));
  if (name == "--help") return Usage(argv[0]), Parsed::kDone;
  if (name == "--version") return std::cout << "portcullis v" << kVersion << "\n", Parsed::kDone;
  if (name == "--json") return options.json = true, Parsed::kRun;
  for (const char* valued : {"--conf", "--socket", "--pidfile", "--timeout", "--loglevel", "--logtarget",
                             "--syslogsocket", "--pname"}) {
    if (name != valued) continue;
    auto value = Value(arg, name.size(), i, argc, argv);
    if (!value) break;
    if (name == "--conf") options.conf = *value;
    if (name == "--socket") options.socket = *value;
    if (name == "--timeout") {
      auto seconds = portcullis::ParseDuration(*value);
      if (!seconds || *seconds <= 0) return Log("ERROR", "invalid --timeout: " + *value), Parsed::kBad;
      options.timeout = std::chrono::milliseconds(static_cast<long long>(*seconds * 1000));
    }
    return Parsed::kRun;
  }
  Usage(argv[0]);
  return Parsed::kBad;
}

// One argument of short options, possibly clustered ("-vq", "-s/run/x.sock").
Parsed ParseShortOptions(const std::string& arg, int& i, int argc, char** argv, ClientOptions& options) {
  for (size_t at = 1; at < arg.size(); ++at) {
    char letter = arg[at];
    if (letter == 'v') {
      ++options.verbose;
    } else if (letter == 'q') {
      --options.verbose;
    } else if (letter == 'h') {
      Usage(argv[0]);
      return Parsed::kDone;
    } else if (letter == 'V') {
      std::cout << kVersion << "\n";
      return Parsed::kDone;
    } else if (letter == 'c' || letter == 's' || letter == 'p') {
      auto value = Value(arg, at + 1, i, argc, argv);
      if (!value) break;
      if (letter == 'c') options.conf = *value;
      if (letter == 's') options.socket = *value;
      return Parsed::kRun;
    } else if (std::string_view("dtixbf").find(letter) != std::string_view::npos) {
      Log("ERROR", std::string("option -") + letter + " is not supported: portcullis-client only talks to a running server");
      return Parsed::kBad;
    } else {
      break;
    }
    if (at + 1 == arg.size()) return Parsed::kRun;
  }
  Usage(argv[0]);
  return Parsed::kBad;
}

Parsed ParseCommandLine(int argc, char** argv, ClientOptions& options) {
  int i = 1;
  for (; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--") {
      ++i;
      break;
    }
    if (arg.size() < 2 || arg[0] != '-') break;  // the command starts: options end here
    Parsed parsed = arg.starts_with("--") ? ParseLongOption(arg, i, argc, argv, options)
                                          : ParseShortOptions(arg, i, argc, argv, options);
    if (parsed != Parsed::kRun) return parsed;
  }
  options.words.assign(argv + i, argv + argc);
  if (options.words.empty()) {
    Usage(argv[0]);
    return Parsed::kBad;
  }
  return Parsed::kRun;
}

// -s, else fail2ban.conf's [Definition] socket under -c, else fail2ban's default.
Result<std::string> SocketPath(const ClientOptions& options) {
  if (options.socket) return *options.socket;
  auto tree = portcullis::config::ConfigTree::Read(options.conf, "fail2ban");
  if (!tree) return portcullis::Fail(tree.error());
  auto socket = tree->Get("Definition", "socket");
  if (!socket) return portcullis::Fail(socket.error());
  return socket->value_or(kDefaultSocket);
}

// fail2ban-client's words for a server it cannot reach.
void ReportUnreachable(const std::string& path, const portcullis::Error& error) {
  std::error_code ec;
  if (!std::filesystem::exists(std::filesystem::symlink_status(path, ec))) {
    Log("ERROR", "Failed to access socket path: " + path + ". Is fail2ban running?");
  } else if (::access(path.c_str(), W_OK) != 0) {
    Log("ERROR", "Permission denied to socket: " + path + ", (you must be root)");
  } else {
    Log("ERROR", "[" + error.message + "] Unable to contact server. Is it running?");
  }
}

// Sends one request and reads its reply; nullopt (after reporting) when the server
// cannot be reached or answers nonsense.
std::optional<control::Reply> Exchange(const std::string& path, const std::vector<std::string>& words,
                                       std::chrono::milliseconds timeout, bool quiet_unreachable = false) {
  auto client = platform::UnixClient::Connect(path, std::min<std::chrono::milliseconds>(timeout, 30s));
  if (!client) {
    if (!quiet_unreachable) ReportUnreachable(path, client.error());
    return std::nullopt;
  }
  Result<std::string> line = std::unexpected(portcullis::Error{});
  if (auto sent = client->SendLine(control::EncodeRequest(words), timeout); !sent) {
    line = std::unexpected(sent.error());
  } else {
    line = client->ReceiveLine(timeout);
  }
  if (!line) {
    if (!quiet_unreachable) Log("ERROR", line.error().ToString());
    return std::nullopt;
  }
  auto reply = control::ParseReply(*line);
  if (!reply) {
    Log("ERROR", reply.error().ToString());
    return std::nullopt;
  }
  return *reply;
}

// What fail2ban-client does itself before asking the server: `restart <jail>` is
// `reload --restart <jail>`, `ping <timeout>` sets the timeout, the server is never
// started or restarted from here. Returns an exit code when the command is done.
std::optional<int> Rewrite(ClientOptions& options, const std::string& path) {
  std::vector<std::string>& words = options.words;
  if (words[0] == "restart" && words.size() > 1) {
    words[0] = "reload";
    words.insert(words.begin() + 1, "--restart");
  } else if ((words[0] == "start" || words[0] == "restart") && words.size() == 1) {
    if (Exchange(path, {"ping"}, 1s, true)) {
      Log("ERROR", "Server already running");
    } else {
      Log("ERROR", "Server not running at " + path + "; portcullis-client does not start servers: start " +
                       "portcullis-server (e.g. systemctl start portcullis)");
    }
    return kFailure;
  } else if (words[0] == "ping" && words.size() == 2) {
    auto seconds = portcullis::ParseDuration(words[1]);
    if (seconds && *seconds > 0) options.timeout = std::chrono::milliseconds(static_cast<long long>(*seconds * 1000));
    words.resize(1);
  }
  return std::nullopt;
}

int Run(int argc, char** argv) {
  ClientOptions options;
  Parsed parsed = ParseCommandLine(argc, argv, options);
  if (parsed != Parsed::kRun) return parsed == Parsed::kDone ? 0 : kFailure;
  auto path = SocketPath(options);
  if (!path) {
    std::cout << "ERROR: " << path.error().ToString() << "\n";
    return kFailure;
  }
  if (options.verbose > 1) Log("INFO", "Using socket file " + *path);
  if (auto done = Rewrite(options, *path)) return *done;

  auto reply = Exchange(*path, options.words, options.timeout);
  if (!reply) return kFailure;
  if (!reply->ok) {
    if (options.json) {
      std::cout << control::EncodeError({reply->code == "unknown-jail"      ? control::ErrorCode::kUnknownJail
                                         : reply->code == "invalid-command" ? control::ErrorCode::kInvalidCommand
                                                                            : control::ErrorCode::kError,
                                         reply->error})
                << "\n";
    } else {
      std::cout << reply->error << "\n";
    }
    return kFailure;
  }
  std::cout << (options.json ? reply->result.Dump() : control::Beautify(options.words, reply->result)) << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    int code = Run(argc, argv);
    std::cout.flush();
    return code;
  } catch (const std::exception& e) {
    Log("ERROR", e.what());
    return kFailure;
  }
}
