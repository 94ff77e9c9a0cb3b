#include "portcullis/control/commands.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "portcullis/control/fake_control_handler.h"
#include "portcullis/control/protocol.h"

namespace portcullis::control {
namespace {

class CommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    handler_.AddJail("sshd", {"192.0.2.1", "2001:db8::1"}, {"/var/log/auth.log"});
    handler_.AddJail("nginx", {}, {"/var/log/nginx/a.log", "/var/log/nginx/b.log"});
  }
  // The reply line for request line `line`.
  std::string Ask(std::string_view line) { return HandleRequestLine(line, false, handler_).text; }

  FakeControlHandler handler_;
};

struct RequestCase {
  const char* request;
  const char* reply;
};

// Requests that are not a JSON array of strings: exact error texts, connection closed.
TEST_F(CommandsTest, RejectsMalformedRequestsAndClosesTheConnection) {
  const RequestCase cases[] = {
      {R"(["status")",
       R"({"ok":false,"error":"malformed request (expected a JSON array of strings): invalid JSON at column 10: expected ',' or ']'","code":"invalid-command"})"},
      {"", R"({"ok":false,"error":"malformed request (expected a JSON array of strings): invalid JSON at column 1: unexpected end of text","code":"invalid-command"})"},
      {R"({"cmd":"status"})",
       R"({"ok":false,"error":"malformed request (expected a JSON array of strings): got an object","code":"invalid-command"})"},
      {R"("status")",
       R"({"ok":false,"error":"malformed request (expected a JSON array of strings): got a string","code":"invalid-command"})"},
      {R"(["set","sshd","banip",1])",
       R"({"ok":false,"error":"malformed request (expected a JSON array of strings): element 3 is a number","code":"invalid-command"})"},
      {R"(["status",null])",
       R"({"ok":false,"error":"malformed request (expected a JSON array of strings): element 1 is null","code":"invalid-command"})"},
      {R"([["status"]])",
       R"({"ok":false,"error":"malformed request (expected a JSON array of strings): element 0 is an array","code":"invalid-command"})"},
  };
  for (const RequestCase& c : cases) {
    ReplyLine reply = HandleRequestLine(c.request, false, handler_);
    EXPECT_EQ(reply.text, c.reply) << c.request;
    EXPECT_TRUE(reply.close) << c.request;
  }
  EXPECT_TRUE(handler_.calls.empty());
}

TEST_F(CommandsTest, RejectsATooLongLineAndClosesTheConnection) {
  ReplyLine reply = HandleRequestLine(std::string(100, 'x'), true, handler_);
  EXPECT_EQ(reply.text,
            R"({"ok":false,"error":"malformed request: line longer than 65536 bytes","code":"invalid-command"})");
  EXPECT_TRUE(reply.close);
}

TEST_F(CommandsTest, AnEmptyCommandIsInvalidButKeepsTheConnection) {
  ReplyLine reply = HandleRequestLine("[]", false, handler_);
  EXPECT_EQ(reply.text, R"({"ok":false,"error":"Sorry but the command is invalid: empty command","code":"invalid-command"})");
  EXPECT_FALSE(reply.close);
}

// Well-formed requests: the reply line and what the handler was asked.
struct CommandCase {
  std::vector<std::string> words;
  const char* reply;
  const char* call = "";  // the handler call recorded, "" for none
};

TEST_F(CommandsTest, AnswersEachCommandWithItsResultShape) {
  const CommandCase cases[] = {
      {{"ping"}, R"({"ok":true,"result":"pong"})"},
      {{"ping", "0.5"}, R"({"ok":true,"result":"pong"})"},
      {{"version"}, R"({"ok":true,"result":"0.1.0"})"},
      {{"status"}, R"({"ok":true,"result":{"jails":["nginx","sshd"]}})"},
      {{"status", "sshd"},
       R"({"ok":true,"result":{"filter":{"currently_failed":0,"total_failed":0,"file_list":["/var/log/auth.log"]},)"
       R"("actions":{"currently_banned":2,"total_banned":2,"banned_ip_list":["192.0.2.1","2001:db8::1"]}}})",
       "Status sshd basic"},
      {{"status", "sshd", "basic"},
       R"({"ok":true,"result":{"filter":{"currently_failed":0,"total_failed":0,"file_list":["/var/log/auth.log"]},)"
       R"("actions":{"currently_banned":2,"total_banned":2,"banned_ip_list":["192.0.2.1","2001:db8::1"]}}})",
       "Status sshd basic"},
      {{"status", "sshd", "short"},
       R"({"ok":true,"result":{"filter":{"currently_failed":0,"total_failed":0,"file_list":["/var/log/auth.log"]},)"
       R"("actions":{"currently_banned":2,"total_banned":2}}})",
       "Status sshd short"},
      {{"banned"}, R"({"ok":true,"result":[{"sshd":["192.0.2.1","2001:db8::1"]},{"nginx":[]}]})"},
      {{"banned", "192.0.2.1", "198.51.100.1"}, R"({"ok":true,"result":[["sshd"],[]]})"},
      {{"banned", "2001:DB8:0::1"}, R"({"ok":true,"result":[["sshd"]]})"},
      {{"get", "sshd", "banned"}, R"({"ok":true,"result":["192.0.2.1","2001:db8::1"]})"},
      {{"get", "sshd", "banned", "192.0.2.1"}, R"({"ok":true,"result":1})"},
      {{"get", "sshd", "banned", "192.0.2.1", "192.0.2.9"}, R"({"ok":true,"result":[1,0]})"},
      {{"get", "sshd", "bantime"}, R"({"ok":true,"result":600})"},
      {{"get", "sshd", "findtime"}, R"({"ok":true,"result":600})"},
      {{"get", "sshd", "maxretry"}, R"({"ok":true,"result":5})"},
      {{"get", "sshd", "maxmatches"}, R"({"ok":true,"result":5})"},
      {{"get", "nginx", "logpath"}, R"({"ok":true,"result":["/var/log/nginx/a.log","/var/log/nginx/b.log"]})"},
      {{"get", "sshd", "ignoreip"}, R"({"ok":true,"result":[]})"},
      {{"get", "sshd", "actions"}, R"({"ok":true,"result":[]})"},
      {{"set", "sshd", "banip", "192.0.2.7", "192.0.2.1"}, R"({"ok":true,"result":1})", "BanIps sshd 192.0.2.7 192.0.2.1"},
      {{"set", "sshd", "banip"}, R"({"ok":true,"result":0})", "BanIps sshd"},
      {{"set", "sshd", "unbanip", "192.0.2.1"}, R"({"ok":true,"result":1})", "UnbanIps sshd 192.0.2.1"},
      {{"set", "sshd", "unbanip", "--report-absent", "192.0.2.1"}, R"({"ok":true,"result":1})",
       "UnbanIps sshd --report-absent 192.0.2.1"},
      {{"unban", "192.0.2.1", "10.0.0.1"}, R"({"ok":true,"result":1})", "UnbanEverywhere 192.0.2.1 10.0.0.1"},
      {{"unban", "--all"}, R"({"ok":true,"result":2})", "UnbanAll"},
      {{"start", "sshd"}, R"({"ok":true,"result":null})", "StartJail sshd"},
      {{"stop", "sshd"}, R"({"ok":true,"result":null})", "StopJail sshd"},
      {{"stop"}, R"({"ok":true,"result":null})", "StopServer"},
      {{"reload"}, R"({"ok":true,"result":"OK"})", "Reload --all"},
      {{"reload", "--all"}, R"({"ok":true,"result":"OK"})", "Reload --all"},
      {{"reload", "--unban", "--restart", "sshd"}, R"({"ok":true,"result":"OK"})", "Reload sshd restart unban"},
      {{"reload", "--if-exists", "newjail"}, R"({"ok":true,"result":"OK"})", "Reload newjail if-exists"},
  };
  for (const CommandCase& c : cases) {
    handler_ = FakeControlHandler{};  // each command on the same two jails
    SetUp();
    ReplyLine reply = HandleRequestLine(EncodeRequest(c.words), false, handler_);
    EXPECT_EQ(reply.text, c.reply) << EncodeRequest(c.words);
    EXPECT_FALSE(reply.close);
    std::string calls;
    for (const std::string& call : handler_.calls) calls += (calls.empty() ? "" : "; ") + call;
    EXPECT_EQ(calls, c.call) << EncodeRequest(c.words);
  }
}

TEST_F(CommandsTest, RejectsUnknownCommandsAndMissingWordsInFail2bansWords) {
  const CommandCase cases[] = {
      {{"foo"}, R"({"ok":false,"error":"Invalid command 'foo'","code":"invalid-command"})"},
      {{"restart", "sshd"}, R"({"ok":false,"error":"Invalid command 'restart'","code":"invalid-command"})"},
      {{"status", "a", "b", "c"}, R"j({"ok":false,"error":"Invalid command (no status)","code":"invalid-command"})j"},
      {{"status", "sshd", "cymru"},
       R"({"ok":false,"error":"Unsupported extended jail status flavor 'cymru'. Supported: basic, short","code":"invalid-command"})"},
      {{"get", "sshd", "foo"},
       R"j({"ok":false,"error":"Invalid command 'foo' (no get action or not yet implemented)","code":"invalid-command"})j"},
      {{"get", "nojail", "foo"},
       R"j({"ok":false,"error":"Invalid command 'foo' (no get action or not yet implemented)","code":"invalid-command"})j"},
      {{"set", "sshd", "foo", "1"},
       R"j({"ok":false,"error":"Invalid command 'foo' (no set action or not yet implemented)","code":"invalid-command"})j"},
      {{"get"}, R"({"ok":false,"error":"Sorry but the command is invalid: usage: get <JAIL> <OPTION> | get loglevel|dbpurgeage","code":"invalid-command"})"},
      {{"get", "sshd"}, R"({"ok":false,"error":"Sorry but the command is invalid: usage: get <JAIL> <OPTION> | get loglevel|dbpurgeage","code":"invalid-command"})"},
      {{"get", "sshd", "bantime", "x"}, R"({"ok":false,"error":"Sorry but the command is invalid: usage: get <JAIL> bantime","code":"invalid-command"})"},
      {{"set"}, R"({"ok":false,"error":"Sorry but the command is invalid: usage: set <JAIL> banip|unbanip ... | set loglevel|dbpurgeage <VALUE>","code":"invalid-command"})"},
      {{"set", "sshd", "unbanip"}, R"({"ok":false,"error":"Sorry but the command is invalid: usage: set <JAIL> unbanip [--report-absent] <IP> ... <IP>","code":"invalid-command"})"},
      {{"set", "sshd", "unbanip", "--report-absent"}, R"({"ok":false,"error":"Sorry but the command is invalid: usage: set <JAIL> unbanip [--report-absent] <IP> ... <IP>","code":"invalid-command"})"},
      {{"set", "loglevel"}, R"({"ok":false,"error":"Sorry but the command is invalid: usage: set loglevel <VALUE>","code":"invalid-command"})"},
      {{"unban"}, R"({"ok":false,"error":"Sorry but the command is invalid: usage: unban --all | unban <IP> ... <IP>","code":"invalid-command"})"},
      {{"start", "a", "b"}, R"({"ok":false,"error":"Sorry but the command is invalid: usage: start [<JAIL>]","code":"invalid-command"})"},
      {{"stop", "a", "b"}, R"({"ok":false,"error":"Sorry but the command is invalid: usage: stop [<JAIL>]","code":"invalid-command"})"},
      {{"reload", "a", "b"}, R"({"ok":false,"error":"Unexpected argument(s) for reload: ['a', 'b']","code":"invalid-command"})"},
      {{"reload", "--force"}, R"({"ok":false,"error":"Unexpected argument(s) for reload: ['--force']","code":"invalid-command"})"},
      {{"start"}, R"({"ok":false,"error":"Server already running","code":"error"})"},
  };
  for (const CommandCase& c : cases) {
    ReplyLine reply = HandleRequestLine(EncodeRequest(c.words), false, handler_);
    EXPECT_EQ(reply.text, c.reply) << EncodeRequest(c.words);
    EXPECT_FALSE(reply.close);
  }
  EXPECT_TRUE(handler_.calls.empty());
}

TEST_F(CommandsTest, NamesAnUnknownJailAsFail2banDoes) {
  const char* unknown = R"({"ok":false,"error":"Sorry but the jail 'nojail' does not exist","code":"unknown-jail"})";
  const std::vector<std::vector<std::string>> requests = {
      {"status", "nojail"},          {"status", "nojail", "short"},          {"start", "nojail"},
      {"stop", "nojail"},            {"set", "nojail", "banip", "192.0.2.1"}, {"set", "nojail", "unbanip", "192.0.2.1"},
      {"get", "nojail", "bantime"},  {"get", "nojail", "banned"},            {"get", "nojail", "logpath"},
  };
  for (const auto& words : requests) EXPECT_EQ(Ask(EncodeRequest(words)), unknown) << EncodeRequest(words);
  EXPECT_TRUE(handler_.calls.empty());
}

TEST_F(CommandsTest, PassesTheHandlersErrorOnWithCodeError) {
  handler_.fail_next = "not banned: ['192.0.2.9']";
  EXPECT_EQ(Ask(R"(["set","sshd","unbanip","--report-absent","192.0.2.9"])"),
            R"({"ok":false,"error":"not banned: ['192.0.2.9']","code":"error"})");
  EXPECT_EQ(Ask(R"(["get","loglevel"])"),
            R"j({"ok":false,"error":"Invalid command 'loglevel' (not supported by this server)","code":"error"})j");
}

TEST_F(CommandsTest, ServesSeveralRequestsInARow) {
  EXPECT_EQ(Ask(R"(["set","nginx","banip","192.0.2.5"])"), R"j({"ok":true,"result":1})j");
  EXPECT_EQ(Ask(R"(["banned","192.0.2.5"])"), R"j({"ok":true,"result":[["nginx"]]})j");
  EXPECT_EQ(Ask(R"(["unban","192.0.2.5"])"), R"j({"ok":true,"result":1})j");
  EXPECT_EQ(Ask(R"(["banned","192.0.2.5"])"), R"j({"ok":true,"result":[[]]})j");
}

TEST(ProtocolTest, ReadsRepliesAsTheClientDoes) {
  auto ok = ParseReply(R"({"ok":true,"result":[1,0]})");
  ASSERT_TRUE(ok);
  EXPECT_TRUE(ok->ok);
  EXPECT_EQ(ok->result.Dump(), "[1,0]");
  auto failed = ParseReply(R"({"ok":false,"error":"Sorry but the jail 'x' does not exist","code":"unknown-jail"})");
  ASSERT_TRUE(failed);
  EXPECT_FALSE(failed->ok);
  EXPECT_EQ(failed->error, "Sorry but the jail 'x' does not exist");
  EXPECT_EQ(failed->code, "unknown-jail");
  auto bad = ParseReply("pong");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message.substr(0, 32), "malformed reply from the server:");
  EXPECT_EQ(EncodeRequest({"set", "sshd", "banip", "a\"b"}), R"(["set","sshd","banip","a\"b"])");
}

}  // namespace
}  // namespace portcullis::control
