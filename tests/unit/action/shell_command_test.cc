#include "portcullis/action/shell_command.h"

#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ostream>
#include <string>
#include <vector>

extern char** environ;

namespace portcullis::action {
namespace {

ban::Ticket TicketWith(std::vector<std::string> matches, std::string user, std::string_view ip = "192.0.2.1") {
  ban::Ticket t;
  t.id = IpAddr::Parse(ip);
  t.time = 1124013600;
  t.failures = 3;
  t.matches = std::move(matches);
  t.data.Set("user", std::move(user));
  return t;
}

// Runs argv (no shell in between) and returns what it wrote to stdout.
std::string RunAndCapture(const std::vector<std::string>& argv) {
  int out[2];
  if (pipe(out) != 0) return "<pipe failed>";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = read(out[0], buf, sizeof buf)) > 0;) text.append(buf, static_cast<size_t>(n));
  close(out[0]);
  if (rc != 0) return "<spawn failed>";
  int status = 0;
  waitpid(pid, &status, 0);
  return text;
}

TEST(ShellCommandTest, PassesMetacharacterValuesAsArguments) {
  // The example verified against fail2ban 1.0.2 (behaviour page, section 5.6).
  ActionInfo info = ActionInfo::FromTicket(TicketWith({"line $1 \"a\"", "line2"}, "root;rm"), 600);
  ShellCommand cmd = ReplaceDynamicTags("echo <ip> <failures> <matches> <F-USER>", info);
  EXPECT_EQ(cmd.Argv(), (std::vector<std::string>{
                            "/bin/sh", "-c",
                            "f2bV_matches=$0 f2bV_F_user=$1 \necho 192.0.2.1 3 $f2bV_matches $f2bV_F_user",
                            "line $1 \"a\"\nline2", "root;rm"}));
}

TEST(ShellCommandTest, MultiLineMatchesSurviveTheShell) {
  ActionInfo info = ActionInfo::FromTicket(TicketWith({"line $1 \"a\"", "line2"}, "root;rm"), 600);
  ShellCommand cmd = ReplaceDynamicTags("printf '%s/%s' \"<matches>\" \"<F-USER>\"", info);
  EXPECT_EQ(RunAndCapture(cmd.Argv()), "line $1 \"a\"\nline2/root;rm");
}

TEST(ShellCommandTest, InlinesValuesWithoutMetacharacters) {
  ActionInfo info = ActionInfo::FromTicket(TicketWith({"plain"}, "root"), 600);
  ShellCommand cmd = ReplaceDynamicTags("echo <ip> <matches> <F-USER>", info);
  EXPECT_EQ(cmd.Argv(), (std::vector<std::string>{"/bin/sh", "-c", "echo 192.0.2.1 plain root"}));
}

TEST(ShellCommandTest, ReplacesDataTagsAfterTicketTagsAndKeepsUnknownTags) {
  // fail2ban 1.0.2 output for the same command and ticket.
  ban::Ticket t = TicketWith({"a;"}, "a b;");
  t.data.Set("tup", filter::Tuple{"a", std::nullopt});
  t.data.Set("cnt", std::int64_t{3});
  ShellCommand cmd = ReplaceDynamicTags("<F-USER> <F-USER> <matches> <F-user> <F-US.ER> <F-TUP> <F-CNT> <F-NONE>",
                                        ActionInfo::FromTicket(t, 600));
  EXPECT_EQ(cmd.script,
            "f2bV_matches=$0 f2bV_F_user=$1 f2bV_F_tup=$2 \n"
            "$f2bV_F_user $f2bV_F_user $f2bV_matches <F-user> <F-US.ER> $f2bV_F_tup 3 ");
  EXPECT_EQ(cmd.args, (std::vector<std::string>{"a;", "a b;", "('a', None)"}));
}

TEST(ShellCommandTest, MapsIdAndPortDataTagsAndNamesVariablesWithWordCharacters) {
  ban::Ticket t = TicketWith({"a", "b"}, "u");
  t.data.Set("fid", std::string("f;1"));
  t.data.Set("fport", std::string("22"));
  t.data.Set("port", std::string("x"));
  t.time = 1.5;
  t.restored = true;
  ActionInfo info = ActionInfo::FromTicket(t, 600.9);
  info.Set("jail.banned", "a|b");
  ShellCommand cmd = ReplaceDynamicTags(
      "<ip-rev> <fid> <family> <time> <bantime> <restored> <F-ID> <F-PORT> <F-FAILURES> <F-MATCHES> <br><sp> "
      "<ip-host-x> <jail.banned>",
      info);
  EXPECT_EQ(cmd.script,
            "f2bV_jail_banned=$0 f2bV_F_fid=$1 f2bV_F_matches=$2 \n"
            "1.2.0.192. 192.0.2.1 inet4 1.5 600 1 $f2bV_F_fid 22 3 $f2bV_F_matches \n  <ip-host-x> $f2bV_jail_banned");
  EXPECT_EQ(cmd.args, (std::vector<std::string>{"a|b", "f;1", "['a', 'b']"}));
}

TEST(ShellCommandTest, EscapesTheIpOfATextId) {
  ShellCommand cmd = ReplaceDynamicTags("<ip> <family>", ActionInfo::FromTicket(TicketWith({}, "u", "a;b"), 600));
  EXPECT_EQ(cmd.Argv(), (std::vector<std::string>{"/bin/sh", "-c", "f2bV_ip=$0 \n$f2bV_ip None", "a;b"}));
}

struct HostileCase {
  const char* name;
  std::string value;
  bool as_argument;  // the value holds a metacharacter: never in the script
};

void PrintTo(const HostileCase& c, std::ostream* os) { *os << c.name; }

class KeepsHostileValuesOutOfTheScript : public ::testing::TestWithParam<HostileCase> {};

TEST_P(KeepsHostileValuesOutOfTheScript, AndShGetsThemBackExactly) {
  const std::string& value = GetParam().value;
  ActionInfo info = ActionInfo::FromTicket(TicketWith({value}, value), 600);
  ShellCommand cmd = ReplaceDynamicTags("printf '%s|%s' \"<F-USER>\" \"<matches>\"", info);
  if (GetParam().as_argument) {
    EXPECT_EQ(cmd.script.find(value), std::string::npos) << cmd.script;
    EXPECT_EQ(cmd.args, (std::vector<std::string>{value, value}));  // matches, then F-USER
  } else {
    EXPECT_TRUE(cmd.args.empty());
  }
  EXPECT_EQ(RunAndCapture(cmd.Argv()), value + "|" + value);
}

// Whether each value becomes an argument was checked with fail2ban 1.0.2's
// replaceDynamicTags; spaces, tabs, commas and '!' are no reason to (fail2ban inlines them).
INSTANTIATE_TEST_SUITE_P(
    ShellCommandTest, KeepsHostileValuesOutOfTheScript,
    ::testing::Values(HostileCase{"Semicolon", "root;rm -rf /", true}, HostileCase{"CommandSubstitution", "$(reboot)", true},
                      HostileCase{"Backticks", "`id`", true}, HostileCase{"Newline", "a\nb", true},
                      HostileCase{"CarriageReturn", "cr\r", true}, HostileCase{"SingleQuote", "it's", true},
                      HostileCase{"DoubleQuote", "a\"b", true}, HostileCase{"Backslash", "a\\b", true},
                      HostileCase{"Hash", "hash#", true}, HostileCase{"Ampersand", "amp&", true},
                      HostileCase{"Pipe", "pipe|", true}, HostileCase{"Glob", "*?[a]", true},
                      HostileCase{"Tilde", "~root", true}, HostileCase{"Redirections", "<x >y", true},
                      HostileCase{"Caret", "hat^", true}, HostileCase{"Braces", "{a,b}", true},
                      HostileCase{"Variable", "$HOME ${PATH}", true},
                      HostileCase{"DollarZeroTrick", "$0 $1 f2bV_x=$0", true},
                      HostileCase{"Everything", "\\#&;`|*?~<>^()[]{}$'\"\n\r", true},
                      HostileCase{"Plain", "plain-value_1.2:3/4@5%6+7=8,9", false},
                      HostileCase{"Spaces", "x  y", false}, HostileCase{"Empty", "", false},
                      HostileCase{"Bang", "!bang", false}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(ShellCommandTest, BuildsAnActionCommandForTheTicketsFamily) {
  config::OptionMap p;
  p.Set("actionban", "<iptables> -I f2b-<name> 1 -s <ip> -j <blocktype> # <F-USER>");
  p.Set("iptables", "iptables");
  p.Set("iptables?family=inet6", "ip6tables");
  p.Set("name", "sshd");
  p.Set("blocktype", "REJECT");
  auto v4 = BuildActionCommand("<actionban>", p, ActionInfo::FromTicket(TicketWith({}, "x;y"), 600));
  ASSERT_TRUE(v4) << v4.error().ToString();
  EXPECT_EQ(v4->script, "f2bV_F_user=$0 \niptables -I f2b-sshd 1 -s 192.0.2.1 -j REJECT # $f2bV_F_user");
  auto v6 = BuildActionCommand("<actionban>", p, ActionInfo::FromTicket(TicketWith({}, "u", "2001:db8::1"), 600));
  ASSERT_TRUE(v6) << v6.error().ToString();
  EXPECT_EQ(v6->script, "ip6tables -I f2b-sshd 1 -s 2001:db8::1 -j REJECT # u");
}

TEST(ShellCommandTest, BuildsStartCommandsForAFamilyWithAnEmptyTicket) {
  config::OptionMap p;
  p.Set("actionstart", "<iptables> -N f2b-<name> # <ip>|<family>|<F-USER>");
  p.Set("iptables", "iptables");
  p.Set("iptables?family=inet6", "ip6tables");
  p.Set("name", "sshd");
  auto cmd = BuildActionCommand("<actionstart>", p, ActionInfo::ForOperation(100, "inet6", 600));
  ASSERT_TRUE(cmd) << cmd.error().ToString();
  EXPECT_EQ(cmd->Argv(), (std::vector<std::string>{"/bin/sh", "-c", "ip6tables -N f2b-sshd # |inet6|"}));
}

TEST(ShellCommandTest, IgnoreCommandEscapesLikeActions) {
  ActionInfo info = ActionInfo::FromTicket(TicketWith({"m"}, "$(reboot)"), 600);
  ShellCommand cmd = BuildIgnoreCommand("/etc/fail2ban/ignore.sh <ip> <F-USER>", info);
  EXPECT_EQ(cmd.Argv(), (std::vector<std::string>{"/bin/sh", "-c", "f2bV_F_user=$0 \n/etc/fail2ban/ignore.sh 192.0.2.1 $f2bV_F_user",
                                                  "$(reboot)"}));
}

TEST(ShellCommandTest, IgnoreCommandWithoutTicketKnowsOnlyTheIp) {
  ShellCommand cmd = BuildIgnoreCommand("check <ip> <F-USER> <br>", ActionInfo::ForIp(IpAddr::Parse("x;y")));
  EXPECT_EQ(cmd.Argv(), (std::vector<std::string>{"/bin/sh", "-c", "f2bV_ip=$0 \ncheck $f2bV_ip <F-USER> \n", "x;y"}));
}

}  // namespace
}  // namespace portcullis::action
