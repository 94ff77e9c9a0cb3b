#include "portcullis/action/action_runner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "fake_command_runner.h"

namespace portcullis::action {
namespace {

using namespace std::chrono_literals;
using Scripts = std::vector<std::string>;

ban::Ticket TicketFor(std::string_view ip) {
  ban::Ticket t;
  t.id = IpAddr::Parse(ip);
  t.time = 1124013600;
  return t;
}

// Commands that say which action ran them: "<prefix> start", "<prefix> ban <ip>" ...
config::ActionSpec Spec(const std::string& prefix, bool flush = false) {
  config::ActionSpec spec;
  spec.name = prefix;
  spec.actname = prefix;
  spec.definition.Set("actionstart", prefix + " start");
  spec.definition.Set("actionstop", prefix + " stop");
  spec.definition.Set("actionban", prefix + " ban <ip>");
  spec.definition.Set("actionunban", prefix + " unban <ip>");
  if (flush) spec.definition.Set("actionflush", prefix + " flush");
  return spec;
}

// The scripts of one action, in the order they ran.
Scripts Of(const Scripts& all, const std::string& prefix) {
  Scripts picked;
  std::copy_if(all.begin(), all.end(), std::back_inserter(picked),
               [&](const std::string& s) { return s.starts_with(prefix + " "); });
  return picked;
}

std::unique_ptr<ActionRunner> MakeRunner(std::vector<config::ActionSpec> specs, FakeCommandRunner& fake,
                                         size_t queue_limit = 100) {
  ActionRunnerOptions options;
  options.queue_limit = queue_limit;
  options.action.now = [] { return 1124013600.0; };
  auto runner = ActionRunner::Create(specs, fake, options);
  EXPECT_TRUE(runner.has_value()) << runner.error().ToString();
  return std::move(*runner);
}

TEST(ActionRunnerTest, StartsInOrderAndStopsInReverseAfterFlushOrUnban) {
  FakeCommandRunner fake;
  auto runner = MakeRunner({Spec("a", /*flush=*/true), Spec("b")}, fake);
  runner->Start();
  EXPECT_EQ(fake.scripts(), (Scripts{"a start", "b start"}));
  std::vector<ban::Ticket> banned = {TicketFor("192.0.2.1"), TicketFor("192.0.2.2")};
  for (const ban::Ticket& t : banned) EXPECT_TRUE(runner->Ban(t));
  ASSERT_TRUE(runner->WaitIdle(10s));
  fake.Clear();
  runner->Stop(banned);
  Scripts scripts = fake.scripts();
  EXPECT_EQ(Of(scripts, "a"), (Scripts{"a flush", "a stop"}));
  EXPECT_EQ(Of(scripts, "b"), (Scripts{"b unban 192.0.2.1", "b unban 192.0.2.2", "b stop"}));
  ASSERT_EQ(scripts.size(), 5u);
  EXPECT_EQ(Scripts(scripts.end() - 2, scripts.end()), (Scripts{"b stop", "a stop"}));
}

TEST(ActionRunnerTest, BanReturnsAtOnceAndRunsInQueueOrder) {
  FakeCommandRunner fake;
  auto runner = MakeRunner({Spec("a")}, fake);
  runner->Ban(TicketFor("192.0.2.1"));
  runner->Unban(TicketFor("192.0.2.1"));
  runner->Ban(TicketFor("192.0.2.2"));
  ASSERT_TRUE(runner->WaitIdle(10s));
  EXPECT_EQ(fake.scripts(), (Scripts{"a ban 192.0.2.1", "a unban 192.0.2.1", "a ban 192.0.2.2"}));
}

TEST(ActionRunnerTest, RefusesBansBeyondTheQueueLimit) {
  FakeCommandRunner fake;
  fake.block_prefix = "a ban 192.0.2.1";
  auto runner = MakeRunner({Spec("a")}, fake, /*queue_limit=*/2);
  EXPECT_TRUE(runner->Ban(TicketFor("192.0.2.1")));
  ASSERT_TRUE(fake.WaitBlocked(1));  // the worker holds the first ban; the queue is empty
  EXPECT_TRUE(runner->Ban(TicketFor("192.0.2.2")));
  EXPECT_TRUE(runner->Ban(TicketFor("192.0.2.3")));
  EXPECT_FALSE(runner->Ban(TicketFor("192.0.2.4")));
  runner->Unban(TicketFor("192.0.2.2"));  // unbans are never refused
  fake.Release();
  ASSERT_TRUE(runner->WaitIdle(10s));
  EXPECT_EQ(fake.scripts(), (Scripts{"a ban 192.0.2.1", "a ban 192.0.2.2", "a ban 192.0.2.3", "a unban 192.0.2.2"}));
}

TEST(ActionRunnerTest, AHangingActionDoesNotHoldUpTheOthers) {
  FakeCommandRunner fake;
  fake.block_prefix = "slow ban";
  auto runner = MakeRunner({Spec("slow"), Spec("fast")}, fake);
  runner->Ban(TicketFor("192.0.2.1"));
  runner->Ban(TicketFor("192.0.2.2"));
  ASSERT_TRUE(fake.WaitBlocked(1));
  EXPECT_TRUE(fake.WaitRan("fast ban 192.0.2.2"));
  EXPECT_FALSE(runner->WaitIdle(0ms));
  fake.Release();
  ASSERT_TRUE(runner->WaitIdle(10s));
  EXPECT_EQ(Of(fake.scripts(), "slow"), (Scripts{"slow ban 192.0.2.1", "slow ban 192.0.2.2"}));
}

TEST(ActionRunnerTest, ReportsAnActionWithABadTimeout) {
  FakeCommandRunner fake;
  config::ActionSpec spec = Spec("a");
  spec.init.Set("timeout", "x");
  auto runner = ActionRunner::Create({spec}, fake, {});
  ASSERT_FALSE(runner.has_value());
  EXPECT_EQ(runner.error().ToString(), "wrong timeout value for action a: x");
}

}  // namespace
}  // namespace portcullis::action
