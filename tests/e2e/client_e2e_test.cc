// End to end: the real portcullis-client binary against a real control socket served
// by UnixServer + HandleRequestLine over a FakeControlHandler.

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "portcullis/control/commands.h"
#include "portcullis/control/fake_control_handler.h"
#include "portcullis/platform/unix_client.h"
#include "portcullis/platform/unix_server.h"

namespace portcullis::control {
namespace {

using namespace std::chrono_literals;

struct ClientRun {
  int code = -1;
  std::string out;
  std::string err;
};

class ClientEndToEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "portcullis-client-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    socket_ = dir_ + "/portcullis.sock";
    handler_.AddJail("sshd", {"192.0.2.1"}, {"/var/log/auth.log"});
    handler_.AddJail("nginx", {}, {"/var/log/nginx/error.log"});
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  void StartServer() {
    auto server = platform::UnixServer::Listen(socket_);
    ASSERT_TRUE(server) << server.error().ToString();
    ASSERT_TRUE(server->Start([this](std::string_view line, bool too_long) {
      ReplyLine reply = HandleRequestLine(line, too_long, handler_);
      return platform::LineReply{std::move(reply.text), reply.close};
    }));
    server_.emplace(std::move(*server));
  }

  // Runs portcullis-client with `args` (shell words, already quoted where needed).
  ClientRun Client(const std::string& args) {
    std::string out = dir_ + "/out", err = dir_ + "/err";
    std::string command = "'" PORTCULLIS_CLIENT "' " + args + " >'" + out + "' 2>'" + err + "'";
    int status = std::system(command.c_str());
    ClientRun run;
    run.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    run.out = Slurp(out);
    run.err = Slurp(err);
    return run;
  }
  ClientRun ClientS(const std::string& args) { return Client("-s '" + socket_ + "' " + args); }

  static std::string Slurp(const std::string& path) {
    std::stringstream text;
    text << std::ifstream(path).rdbuf();
    return text.str();
  }

  std::string dir_;
  std::string socket_;
  FakeControlHandler handler_;
  std::optional<platform::UnixServer> server_;
};

TEST_F(ClientEndToEndTest, TheSocketIsForItsOwnerOnly) {
  StartServer();
  struct stat st {};
  ASSERT_EQ(::stat(socket_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(ClientEndToEndTest, PrintsFail2banClientsTexts) {
  StartServer();
  ClientRun ping = ClientS("ping");
  EXPECT_EQ(ping.code, 0);
  EXPECT_EQ(ping.out, "Server replied: pong\n");
  EXPECT_EQ(ping.err, "");

  ClientRun status = ClientS("status");
  EXPECT_EQ(status.code, 0);
  EXPECT_EQ(status.out, "Status\n|- Number of jail:\t2\n`- Jail list:\tnginx, sshd\n");

  ClientRun jail = ClientS("status sshd");
  EXPECT_EQ(jail.code, 0);
  EXPECT_EQ(jail.out,
            "Status for the jail: sshd\n|- Filter\n|  |- Currently failed:\t0\n|  |- Total failed:\t0\n"
            "|  `- File list:\t/var/log/auth.log\n`- Actions\n   |- Currently banned:\t1\n"
            "   |- Total banned:\t1\n   `- Banned IP list:\t192.0.2.1\n");

  EXPECT_EQ(ClientS("set sshd banip 192.0.2.9 192.0.2.1").out, "1\n");
  EXPECT_EQ(ClientS("banned").out, "[{'sshd': ['192.0.2.1', '192.0.2.9']}, {'nginx': []}]\n");
  EXPECT_EQ(ClientS("banned 192.0.2.9 198.51.100.1").out, "[['sshd'], []]\n");
  EXPECT_EQ(ClientS("get sshd logpath").out, "Current monitored log file(s):\n`- /var/log/auth.log\n");
  EXPECT_EQ(ClientS("restart sshd").out, "OK\n");
  EXPECT_EQ(handler_.calls.back(), "Reload sshd restart");
  EXPECT_EQ(ClientS("version").out, "0.1.0\n");
}

TEST_F(ClientEndToEndTest, PrintsTheRawResultWithJson) {
  StartServer();
  ClientRun run = ClientS("--json status sshd short");
  EXPECT_EQ(run.code, 0);
  EXPECT_EQ(run.out,
            R"({"filter":{"currently_failed":0,"total_failed":0,"file_list":["/var/log/auth.log"]},)"
            R"("actions":{"currently_banned":1,"total_banned":1}})"
            "\n");
  ClientRun error = ClientS("--json status nojail");
  EXPECT_EQ(error.code, 255);
  EXPECT_EQ(error.out, R"({"ok":false,"error":"Sorry but the jail 'nojail' does not exist","code":"unknown-jail"})" "\n");
}

TEST_F(ClientEndToEndTest, ErrorsExitWith255AndTheServerGoesOn) {
  StartServer();
  ClientRun unknown = ClientS("status nojail");
  EXPECT_EQ(unknown.code, 255);
  EXPECT_EQ(unknown.out, "Sorry but the jail 'nojail' does not exist\n");

  ClientRun invalid = ClientS("frobnicate now");
  EXPECT_EQ(invalid.code, 255);
  EXPECT_EQ(invalid.out, "Invalid command 'frobnicate'\n");

  ClientRun missing = ClientS("set sshd unbanip");
  EXPECT_EQ(missing.code, 255);
  EXPECT_EQ(missing.out, "Sorry but the command is invalid: usage: set <JAIL> unbanip [--report-absent] <IP> ... <IP>\n");

  EXPECT_EQ(ClientS("ping").out, "Server replied: pong\n");
}

TEST_F(ClientEndToEndTest, AMalformedRequestGetsAnErrorAndTheNextConnectionIsServed) {
  StartServer();
  auto raw = platform::UnixClient::Connect(socket_, 2s);
  ASSERT_TRUE(raw);
  ASSERT_TRUE(raw->SendLine("status sshd"));
  auto reply = raw->ReceiveLine(2s);
  ASSERT_TRUE(reply) << reply.error().ToString();
  EXPECT_EQ(*reply,
            R"({"ok":false,"error":"malformed request (expected a JSON array of strings): invalid JSON at column 1: unexpected character","code":"invalid-command"})");
  EXPECT_FALSE(raw->ReceiveLine(2s));  // closed

  auto big = platform::UnixClient::Connect(socket_, 2s);
  ASSERT_TRUE(big);
  ASSERT_TRUE(big->SendLine("[\"" + std::string(70000, 'a') + "\"]"));
  EXPECT_EQ(big->ReceiveLine(2s).value_or("?"),
            R"({"ok":false,"error":"malformed request: line longer than 65536 bytes","code":"invalid-command"})");

  ClientRun ping = ClientS("ping");
  EXPECT_EQ(ping.code, 0);
  EXPECT_EQ(ping.out, "Server replied: pong\n");
}

TEST_F(ClientEndToEndTest, StopShutsTheServerDown) {
  StartServer();
  ClientRun stop = ClientS("stop");
  EXPECT_EQ(stop.code, 0);
  EXPECT_EQ(stop.out, "Shutdown successful\n");
  EXPECT_TRUE(handler_.stop_requested);
}

TEST_F(ClientEndToEndTest, NoServerIsFail2bansErrorAnd255) {
  ClientRun run = ClientS("status");
  EXPECT_EQ(run.code, 255);
  EXPECT_EQ(run.out, "");
  EXPECT_NE(run.err.find("ERROR   Failed to access socket path: " + socket_ + ". Is fail2ban running?\n"),
            std::string::npos)
      << run.err;
}

TEST_F(ClientEndToEndTest, AnExistingSocketIsRefusedWhenLiveAndReplacedWhenStale) {
  StartServer();
  auto second = platform::UnixServer::Listen(socket_);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().ToString(), socket_ + ": socket already in use: a server answers there");
  EXPECT_EQ(ClientS("ping").out, "Server replied: pong\n");

  // What a server killed with SIGKILL leaves behind: a socket file nobody listens on.
  server_.reset();
  ASSERT_FALSE(std::filesystem::exists(socket_));
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strcpy(address.sun_path, socket_.c_str());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ::close(fd);
  ClientRun refused = ClientS("ping");
  EXPECT_EQ(refused.code, 255);
  EXPECT_NE(refused.err.find("ERROR   [cannot connect: Connection refused] Unable to contact server. Is it running?\n"),
            std::string::npos)
      << refused.err;

  StartServer();
  EXPECT_EQ(ClientS("ping").out, "Server replied: pong\n");
}

TEST_F(ClientEndToEndTest, FindsTheSocketInFail2banConf) {
  StartServer();
  std::ofstream(dir_ + "/fail2ban.conf") << "[Definition]\nsocket = " << socket_ << "\n";
  ClientRun run = Client("-c '" + dir_ + "' ping");
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.out, "Server replied: pong\n");
}

}  // namespace
}  // namespace portcullis::control
