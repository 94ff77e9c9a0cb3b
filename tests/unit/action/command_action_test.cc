#include "portcullis/action/command_action.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fake_command_runner.h"

namespace portcullis::action {
namespace {

using Scripts = std::vector<std::string>;

ban::Ticket TicketFor(std::string_view ip, bool restored = false) {
  ban::Ticket t;
  t.id = IpAddr::Parse(ip);
  t.time = 1124013600;
  t.restored = restored;
  return t;
}

// An action whose commands print what they are: "start <family>", "ban <ip> <family>" ...
config::ActionSpec Spec(std::vector<std::pair<std::string, std::string>> extra = {}) {
  config::ActionSpec spec;
  spec.name = "test";
  spec.actname = "test";
  spec.definition.Set("actionstart", "start <family>");
  spec.definition.Set("actionstop", "stop <family>");
  spec.definition.Set("actionban", "ban <ip> <family>");
  spec.definition.Set("actionunban", "unban <ip>");
  for (auto& [name, value] : extra) {
    if (name.find('?') != std::string::npos || name == "timeout") {
      spec.init.Set(name, value);
    } else {
      spec.definition.Set(name, value);
    }
  }
  return spec;
}

class CommandActionTest : public ::testing::Test {
 protected:
  CommandAction Make(const config::ActionSpec& spec, CommandActionOptions options = {}) {
    options.now = [] { return 1124013600.0; };
    options.log_error = [this](std::string_view message) { errors_.emplace_back(message); };
    auto action = CommandAction::Create(spec, runner_, options);
    EXPECT_TRUE(action.has_value()) << action.error().ToString();
    return std::move(*action);
  }

  FakeCommandRunner runner_;
  std::vector<std::string> errors_;
};

TEST_F(CommandActionTest, RunsTheLifecycleOfAnActionWithoutFamilies) {
  CommandAction action = Make(Spec());
  EXPECT_EQ(action.families(), Scripts{""});
  EXPECT_TRUE(action.Start());
  EXPECT_TRUE(action.Ban(TicketFor("192.0.2.1")));
  EXPECT_TRUE(action.Ban(TicketFor("2001:db8::1")));
  EXPECT_TRUE(action.Unban(TicketFor("192.0.2.1")));
  EXPECT_TRUE(action.Stop());
  EXPECT_EQ(runner_.scripts(), (Scripts{"start ", "ban 192.0.2.1 inet4", "ban 2001:db8::1 inet6", "unban 192.0.2.1",
                                        "stop "}));
  EXPECT_TRUE(errors_.empty());
}

TEST_F(CommandActionTest, StartsEachFamilyOnDemandWhenOptionsAreConditional) {
  CommandAction action = Make(Spec({{"blocktype?family=inet6", "v6"}}));
  EXPECT_EQ(action.families(), (Scripts{"inet4", "inet6"}));
  EXPECT_TRUE(action.Start());
  EXPECT_TRUE(runner_.scripts().empty());
  action.Ban(TicketFor("192.0.2.1"));
  action.Ban(TicketFor("192.0.2.2"));
  action.Ban(TicketFor("2001:db8::1"));
  action.Stop();
  EXPECT_EQ(runner_.scripts(), (Scripts{"start inet4", "ban 192.0.2.1 inet4", "ban 192.0.2.2 inet4", "start inet6",
                                        "ban 2001:db8::1 inet6", "stop inet4", "stop inet6"}));
}

TEST_F(CommandActionTest, StartsBothFamiliesWhenStartOnDemandIsOff) {
  config::ActionSpec spec = Spec({{"blocktype?family=inet6", "v6"}});
  spec.actionstart_on_demand = false;
  CommandAction action = Make(spec);
  action.Start();
  action.Ban(TicketFor("2001:db8::1"));
  EXPECT_EQ(runner_.scripts(), (Scripts{"start inet4", "start inet6", "ban 2001:db8::1 inet6"}));
}

TEST_F(CommandActionTest, LeavesOutInet6WhenIpv6IsNotAllowed) {
  CommandAction action = Make(Spec({{"blocktype?family=inet6", "v6"}}), {.allow_ipv6 = false});
  EXPECT_EQ(action.families(), Scripts{"inet4"});
}

TEST_F(CommandActionTest, RunsTheSameStartCommandOnceForBothFamilies) {
  config::ActionSpec spec = Spec({{"actionstart", "create set"}, {"actionstop", "destroy set"},
                                  {"blocktype?family=inet6", "v6"}});
  spec.actionstart_on_demand = false;
  CommandAction action = Make(spec);
  action.Start();
  action.Stop();
  EXPECT_EQ(runner_.scripts(), (Scripts{"create set", "destroy set"}));
}

TEST_F(CommandActionTest, ChecksRepairsAndRetriesAFailedBan) {
  int bans = 0;
  int checks = 0;
  runner_.exit_code = [&](const std::string& s) {
    if (s.starts_with("ban")) return bans++ == 0 ? 1 : 0;
    if (s == "check") return checks++ == 0 ? 1 : 0;
    return 0;
  };
  CommandAction action = Make(Spec({{"actioncheck", "check"}, {"actionrepair", "repair"}}));
  action.Start();
  EXPECT_TRUE(action.Ban(TicketFor("192.0.2.1")));
  EXPECT_EQ(runner_.scripts(), (Scripts{"start ", "ban 192.0.2.1 inet4", "check", "repair", "check",
                                        "ban 192.0.2.1 inet4"}));
  EXPECT_EQ(errors_, (Scripts{"test: actionban failed: exit code 1", "test: actioncheck failed: exit code 1",
                              "test: Invariant check failed. Trying to restore a sane environment"}));
}

TEST_F(CommandActionTest, RetriesAfterAPassingCheckWithoutRepair) {
  int bans = 0;
  runner_.exit_code = [&](const std::string& s) { return s.starts_with("ban") && bans++ == 0 ? 1 : 0; };
  CommandAction action = Make(Spec({{"actioncheck", "check"}, {"actionrepair", "repair"}}));
  EXPECT_TRUE(action.Ban(TicketFor("192.0.2.1")));
  EXPECT_EQ(runner_.scripts(), (Scripts{"ban 192.0.2.1 inet4", "check", "ban 192.0.2.1 inet4"}));
}

TEST_F(CommandActionTest, RestartsTheActionWhenThereIsNoRepair) {
  int checks = 0;
  runner_.exit_code = [&](const std::string& s) {
    if (s.starts_with("ban")) return 1;
    if (s == "check") return checks++ == 0 ? 1 : 0;
    return 0;
  };
  CommandAction action = Make(Spec({{"actioncheck", "check"}}));
  action.Start();
  EXPECT_FALSE(action.Ban(TicketFor("192.0.2.1")));
  EXPECT_EQ(runner_.scripts(), (Scripts{"start ", "ban 192.0.2.1 inet4", "check", "stop ", "start ", "check",
                                        "ban 192.0.2.1 inet4"}));
}

TEST_F(CommandActionTest, GivesUpWhenTheRepairFails) {
  runner_.exit_code = [](const std::string& s) { return s == "start " ? 0 : 1; };
  CommandAction action = Make(Spec({{"actioncheck", "check"}, {"actionrepair", "repair"}}));
  action.Start();
  EXPECT_FALSE(action.Ban(TicketFor("192.0.2.1")));
  EXPECT_EQ(runner_.scripts(), (Scripts{"start ", "ban 192.0.2.1 inet4", "check", "repair"}));
  EXPECT_EQ(errors_.back(), "test: Unable to restore environment");
}

TEST_F(CommandActionTest, DoesNotRetryWithoutActioncheck) {
  runner_.exit_code = [](const std::string& s) { return s.starts_with("ban") ? 1 : 0; };
  CommandAction action = Make(Spec());
  EXPECT_FALSE(action.Ban(TicketFor("192.0.2.1")));
  EXPECT_EQ(runner_.scripts(), Scripts{"ban 192.0.2.1 inet4"});
}

TEST_F(CommandActionTest, RepairsOnUnbanOnlyWithActionrepairOnUnban) {
  runner_.exit_code = [](const std::string& s) { return s.starts_with("unban") || s == "check" ? 1 : 0; };
  config::ActionSpec spec = Spec({{"actioncheck", "check"}, {"actionrepair", "repair"}});
  CommandAction action = Make(spec);
  action.Ban(TicketFor("192.0.2.1"));
  runner_.Clear();
  EXPECT_FALSE(action.Unban(TicketFor("192.0.2.1")));
  EXPECT_EQ(runner_.scripts(), (Scripts{"unban 192.0.2.1", "check"}));
  EXPECT_EQ(errors_.back(), "test: Invariant check failed. Unban is impossible.");

  spec.actionrepair_on_unban = true;
  CommandAction repairing = Make(spec);
  repairing.Ban(TicketFor("192.0.2.1"));
  runner_.Clear();
  EXPECT_FALSE(repairing.Unban(TicketFor("192.0.2.1")));
  EXPECT_EQ(runner_.scripts(), (Scripts{"unban 192.0.2.1", "check", "repair", "check"}));
}

TEST_F(CommandActionTest, UnbansOnlyInFamiliesThatHadABan) {
  CommandAction action = Make(Spec({{"blocktype?family=inet6", "v6"}}));
  action.Ban(TicketFor("192.0.2.1"));
  runner_.Clear();
  action.Unban(TicketFor("2001:db8::1"));
  action.Unban(TicketFor("192.0.2.1"));
  EXPECT_EQ(runner_.scripts(), Scripts{"unban 192.0.2.1"});
}

TEST_F(CommandActionTest, NorestoredSkipsTheBanOfRestoredTickets) {
  config::ActionSpec spec = Spec();
  spec.norestored = true;
  CommandAction action = Make(spec);
  action.Ban(TicketFor("192.0.2.1", /*restored=*/true));
  action.Ban(TicketFor("192.0.2.2"));
  EXPECT_EQ(runner_.scripts(), Scripts{"ban 192.0.2.2 inet4"});

  CommandAction plain = Make(Spec());
  runner_.Clear();
  plain.Ban(TicketFor("192.0.2.1", /*restored=*/true));
  EXPECT_EQ(runner_.scripts(), Scripts{"ban 192.0.2.1 inet4"});
}

TEST_F(CommandActionTest, FlushesOncePerFamilyThatHadBans) {
  CommandAction action = Make(Spec({{"actionflush", "flush <family>"}, {"blocktype?family=inet6", "v6"}}));
  EXPECT_TRUE(action.has_flush());
  action.Ban(TicketFor("192.0.2.1"));
  action.Ban(TicketFor("192.0.2.2"));
  runner_.Clear();
  EXPECT_TRUE(action.Flush());
  EXPECT_TRUE(action.Flush());  // nothing left to flush
  EXPECT_EQ(runner_.scripts(), Scripts{"flush inet4"});
}

TEST_F(CommandActionTest, RunsCommandsWithTheActionTimeout) {
  CommandAction action = Make(Spec({{"timeout", "2m"}}));
  action.Ban(TicketFor("192.0.2.1"));
  CommandAction plain = Make(Spec());
  plain.Ban(TicketFor("192.0.2.1"));
  EXPECT_EQ(runner_.timeouts(),
            (std::vector<std::chrono::milliseconds>{std::chrono::minutes(2), std::chrono::seconds(60)}));
}

TEST_F(CommandActionTest, RefusesATimeoutThatIsNoDuration) {
  auto action = CommandAction::Create(Spec({{"timeout", "soon"}}), runner_, {});
  ASSERT_FALSE(action.has_value());
  EXPECT_EQ(action.error().ToString(), "wrong timeout value for action test: soon");
}

TEST_F(CommandActionTest, KeepsHostileValuesOutOfTheScript) {
  CommandAction action = Make(Spec({{"actionban", "ban <ip> <F-USER>"}}));
  ban::Ticket t = TicketFor("192.0.2.1");
  t.data.Set("user", std::string("root;rm -rf /"));
  action.Ban(t);
  EXPECT_EQ(runner_.scripts(), Scripts{"f2bV_F_user=$0 \nban 192.0.2.1 $f2bV_F_user"});
}

}  // namespace
}  // namespace portcullis::action
