// portcullis-server: the ban daemon, with fail2ban-server's command line.
//
//   portcullis-server -f -x -c /etc/fail2ban     # foreground, replace a stale socket
//
// Reads fail2ban.conf and the jails from -c, opens the ban database, starts every
// enabled jail, then serves the control socket until `portcullis-client stop`,
// SIGTERM or SIGINT. SIGHUP reloads the configuration (bans kept) and reopens a log
// file; SIGUSR1 only reopens the log file (after logrotate).

#include <getopt.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>

#include "portcullis/base/clock.h"
#include "portcullis/base/duration.h"
#include "portcullis/config/jail_reader.h"
#include "portcullis/control/commands.h"
#include "portcullis/platform/unix_server.h"
#include "portcullis/server/server.h"

namespace {

namespace server = portcullis::server;
namespace platform = portcullis::platform;

constexpr int kFailure = 255;
constexpr char kVersion[] = PORTCULLIS_VERSION;

struct Options {
  std::string conf = "/etc/fail2ban";
  std::optional<std::string> socket, pidfile, loglevel, logtarget;
  bool foreground = false;
  bool force = false;
  bool test = false;
};

void Usage() {
  std::cout << "Usage: portcullis-server [OPTIONS]\n\n"
            << "portcullis v" << kVersion << ", a drop-in for fail2ban-server: it reads log files that contain\n"
            << "password failure reports and bans the corresponding IP addresses using firewall rules.\n\n"
            << "Options:\n"
               "    -c, --conf <DIR>        configuration directory (default /etc/fail2ban)\n"
               "    -s, --socket <FILE>     socket path\n"
               "    -p, --pidfile <FILE>    pidfile path\n"
               "    --pname <NAME>          accepted for compatibility, not used\n"
               "    --loglevel <LEVEL>      logging level\n"
               "    --logtarget <TARGET>    logging target: a file name, STDOUT, STDERR, SYSLOG or SYSOUT\n"
               "    --syslogsocket auto|<FILE>  accepted for compatibility, not used\n"
               "    -t, --test              test the configuration and exit\n"
               "    -v, -q                  accepted for compatibility\n"
               "    -x                      force execution of the server (remove socket file)\n"
               "    -b                      start server in background (default)\n"
               "    -f                      start server in foreground\n"
               "    --str2sec <STRING>      convert time abbreviation format to seconds\n"
               "    -h, --help              display this help message\n"
               "    -V, --version           print the version\n";
}

// Parses argv; returns an exit code when the program is done (help, version, error).
std::optional<int> Parse(int argc, char** argv, Options& options) {
  enum { kPname = 1000, kLoglevel, kLogtarget, kSyslogsocket, kStr2sec, kAsync, kTimeout, kDp };
  static const option kLong[] = {{"conf", required_argument, nullptr, 'c'},
                                 {"socket", required_argument, nullptr, 's'},
                                 {"pidfile", required_argument, nullptr, 'p'},
                                 {"pname", required_argument, nullptr, kPname},
                                 {"loglevel", required_argument, nullptr, kLoglevel},
                                 {"logtarget", required_argument, nullptr, kLogtarget},
                                 {"syslogsocket", required_argument, nullptr, kSyslogsocket},
                                 {"str2sec", required_argument, nullptr, kStr2sec},
                                 {"async", no_argument, nullptr, kAsync},
                                 {"timeout", required_argument, nullptr, kTimeout},
                                 {"dp", no_argument, nullptr, kDp},
                                 {"dump-pretty", no_argument, nullptr, kDp},
                                 {"test", no_argument, nullptr, 't'},
                                 {"help", no_argument, nullptr, 'h'},
                                 {"version", no_argument, nullptr, 'V'},
                                 {nullptr, 0, nullptr, 0}};
  int c;
  while ((c = getopt_long(argc, argv, "c:s:p:dtivqxbfhV", kLong, nullptr)) != -1) {
    switch (c) {
      case 'c': options.conf = optarg; break;
      case 's': options.socket = optarg; break;
      case 'p': options.pidfile = optarg; break;
      case kLoglevel: options.loglevel = optarg; break;
      case kLogtarget: options.logtarget = optarg; break;
      case 'x': options.force = true; break;
      case 'f': options.foreground = true; break;
      case 'b': options.foreground = false; break;
      case 't': options.test = true; break;
      case kStr2sec: {
        auto seconds = portcullis::ParseDuration(optarg);
        if (!seconds) {
          std::cerr << "ERROR: " << seconds.error().ToString() << "\n";
          return kFailure;
        }
        std::cout << static_cast<long long>(*seconds) << "\n";
        return 0;
      }
      case 'h': Usage(); return 0;
      case 'V': std::cout << kVersion << "\n"; return 0;
      case '?': Usage(); return kFailure;
      default: break;  // accepted, not used: --pname, --syslogsocket, -i, -v, -q, -d, --async, --timeout
    }
  }
  if (optind < argc) {
    std::cerr << "ERROR: unexpected argument '" << argv[optind] << "'\n";
    return kFailure;
  }
  return std::nullopt;
}

// -t: reads everything a start reads and reports what is wrong.
int TestConfig(const server::ServerSettings& settings) {
  auto jails = portcullis::config::ReadJails({.basedir = settings.basedir});
  if (!jails) {
    std::cerr << "ERROR: " << jails.error().ToString() << "\n";
    return kFailure;
  }
  for (const auto& warning : jails->warnings) std::cerr << "WARNING: " << warning.ToString() << "\n";
  for (const auto& error : jails->errors) std::cerr << "ERROR: " << error.ToString() << "\n";
  std::cout << "OK: configuration test is " << (jails->errors.empty() ? "successful" : "failed") << "\n";
  return jails->errors.empty() ? 0 : kFailure;
}

// -b: the usual double fork; the parent returns once the child runs on its own.
bool Daemonize() {
  pid_t pid = ::fork();
  if (pid < 0) return false;
  if (pid > 0) ::_exit(0);
  ::setsid();
  pid = ::fork();
  if (pid < 0) return false;
  if (pid > 0) ::_exit(0);
  if (std::FILE* null = std::freopen("/dev/null", "r", stdin)) (void)null;
  return true;
}

void EnsureParentFolder(const std::string& path) {
  std::error_code ignored;
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ignored);
}

int Run(const Options& options) {
  auto settings = server::ReadServerSettings(options.conf);
  if (!settings) {
    std::cerr << "ERROR: " << settings.error().ToString() << "\n";
    return kFailure;
  }
  if (options.socket) settings->socket = *options.socket;
  if (options.pidfile) settings->pidfile = *options.pidfile;
  if (options.loglevel) settings->loglevel = *options.loglevel;
  if (options.logtarget) settings->logtarget = *options.logtarget;
  if (options.test) return TestConfig(*settings);

  portcullis::SystemClock clock;
  server::ServerLog log(clock);
  auto level = server::ParseLogLevel(settings->loglevel);
  if (!level) {
    std::cerr << "ERROR: " << level.error().ToString() << "\n";
    return kFailure;
  }
  log.set_level(*level);
  if (auto target = log.SetTarget(settings->logtarget); !target) {
    std::cerr << "ERROR: " << target.error().ToString() << "\n";
    return kFailure;
  }

  // Signals are taken by the main loop only: block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGTERM, SIGINT, SIGHUP, SIGUSR1}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  EnsureParentFolder(settings->socket);
  auto listener = platform::UnixServer::Listen(settings->socket, {.force = options.force});
  if (!listener) {
    std::string why = listener.error().ToString();
    std::cerr << "ERROR: " << why << "\n"
              << (options.force ? "" : "ERROR: is another server running? Use -x to replace a stale socket\n");
    log.Write(server::LogLevel::kError, "fail2ban.server", why);
    return kFailure;
  }
  if (!options.foreground && !Daemonize()) {
    std::cerr << "ERROR: cannot start in background: " << std::strerror(errno) << "\n";
    return kFailure;
  }
  log.RefreshPid();
  EnsureParentFolder(settings->pidfile);
  if (std::ofstream pid(settings->pidfile); pid) pid << ::getpid() << "\n";

  platform::ProcessRunner runner;
  server::ServerContext context{.clock = &clock, .log = &log, .runner = &runner,
                                .resolve = server::SystemHostResolver(), .source_options = {}};
  auto created = server::Server::Create(*settings, context);
  if (!created) {
    log.Write(server::LogLevel::kCritical, "fail2ban.server", created.error().ToString());
    std::cerr << "ERROR: " << created.error().ToString() << "\n";
    return kFailure;
  }
  server::Server& daemon = **created;
  if (auto started = daemon.Start(); !started) {
    log.Write(server::LogLevel::kCritical, "fail2ban.server", started.error().ToString());
    std::cerr << "ERROR: " << started.error().ToString() << "\n";
    return kFailure;
  }
  auto serving = listener->Start([&daemon](std::string_view line, bool too_long) {
    auto reply = portcullis::control::HandleRequestLine(line, too_long, daemon);
    return platform::LineReply{std::move(reply.text), reply.close};
  });
  if (!serving) {
    log.Write(server::LogLevel::kCritical, "fail2ban.server", serving.error().ToString());
    daemon.Stop();
    return kFailure;
  }
  log.Write(server::LogLevel::kInfo, "fail2ban.server", "Server ready");
  log.Flush();

  timespec tick{0, 200'000'000};
  while (!daemon.stop_requested()) {
    int sig = ::sigtimedwait(&signals, nullptr, &tick);
    if (sig == SIGTERM || sig == SIGINT) {
      log.Write(server::LogLevel::kNotice, "fail2ban.server",
                std::string("Received signal ") + std::to_string(sig) + ", shutting down");
      break;
    }
    if (sig == SIGHUP || sig == SIGUSR1) {
      if (auto reopened = log.Reopen(); !reopened) std::cerr << reopened.error().ToString() << "\n";
      if (sig == SIGHUP) {
        log.Write(server::LogLevel::kNotice, "fail2ban.server", "Received SIGHUP, reloading");
        if (auto reloaded = daemon.Reload({}); !reloaded)
          log.Write(server::LogLevel::kError, "fail2ban.server", reloaded.error().ToString());
      }
    }
    daemon.Housekeeping();
    log.Flush();
  }
  listener->Stop();
  daemon.Stop();
  std::error_code ignored;
  std::filesystem::remove(settings->pidfile, ignored);
  log.Write(server::LogLevel::kInfo, "fail2ban.server", "Exiting Fail2ban");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  portcullis::PinLocalTimeZone();
  Options options;
  if (auto done = Parse(argc, argv, options)) return *done;
  return Run(options);
}
