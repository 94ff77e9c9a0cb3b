// Batched bans and unbans (issue 5): CommandAction's batch commands and the runner's
// natural batching, with the fake CommandRunner.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "fake_command_runner.h"
#include "portcullis/action/action_runner.h"
#include "portcullis/action/command_action.h"

namespace portcullis::action {
namespace {

using namespace std::chrono_literals;
using Scripts = std::vector<std::string>;

ban::Ticket TicketFor(std::string_view ip, bool restored = false) {
  ban::Ticket t;
  t.id = IpAddr::Parse(ip);
  t.time = 1124013600;
  t.restored = restored;
  return t;
}

std::vector<ban::Ticket> Tickets(std::initializer_list<std::string_view> ips) {
  std::vector<ban::Ticket> tickets;
  for (std::string_view ip : ips) tickets.push_back(TicketFor(ip));
  return tickets;
}

// 10.0.0.0, 10.0.0.1, ... (or 2001:db8::..., IPv6) from `first` on.
std::vector<ban::Ticket> Many(size_t count, bool v6 = false, size_t first = 0) {
  std::vector<ban::Ticket> tickets;
  for (size_t i = first; i < first + count; ++i) {
    char text[64];
    if (v6) {
      std::snprintf(text, sizeof text, "2001:db8::%zx:%zx", i >> 16, i & 0xffff);
    } else {
      std::snprintf(text, sizeof text, "10.%zu.%zu.%zu", (i >> 16) & 255, (i >> 8) & 255, i & 255);
    }
    tickets.push_back(TicketFor(text));
  }
  return tickets;
}

// An action whose commands say what they are; the batch commands print the list in braces.
config::ActionSpec Spec(std::vector<std::pair<std::string, std::string>> extra = {}, bool batch = true) {
  config::ActionSpec spec;
  spec.name = "test";
  spec.actname = "test";
  spec.definition.Set("actionstart", "start <family>");
  spec.definition.Set("actionstop", "stop <family>");
  spec.definition.Set("actionban", "ban <ip>");
  spec.definition.Set("actionunban", "unban <ip>");
  if (batch) {
    spec.definition.Set("actionban_batch", "bans { <ipbatch> }");
    spec.definition.Set("actionunban_batch", "unbans { <ipbatch> }");
  }
  for (auto& [name, value] : extra) {
    if (name.find('?') != std::string::npos || !name.starts_with("action")) {
      spec.init.Set(name, value);
    } else {
      spec.definition.Set(name, value);
    }
  }
  return spec;
}

// The addresses of "... { a, b, c }".
std::vector<std::string> ListOf(const std::string& script) {
  std::vector<std::string> ips;
  size_t open = script.find("{ "), close = script.find(" }", open);
  if (open == std::string::npos || close == std::string::npos) return ips;
  std::string list = script.substr(open + 2, close - open - 2);
  for (size_t start = 0; start <= list.size();) {
    size_t comma = std::min(list.find(", ", start), list.size());
    ips.push_back(list.substr(start, comma - start));
    start = comma + 2;
  }
  return ips;
}

std::vector<std::string> IpsOf(const std::vector<ban::Ticket>& tickets) {
  std::vector<std::string> ips;
  for (const ban::Ticket& t : tickets) ips.push_back(t.Ip().ToString());
  return ips;
}

class CommandActionBatchTest : public ::testing::Test {
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

TEST_F(CommandActionBatchTest, RunsOneCommandForManyTickets) {
  CommandAction action = Make(Spec());
  EXPECT_TRUE(action.has_ban_batch() && action.has_unban_batch());
  auto tickets = Tickets({"192.0.2.1", "192.0.2.0/24", "198.51.100.7"});
  EXPECT_TRUE(action.BanBatch(tickets));
  EXPECT_TRUE(action.UnbanBatch(tickets));
  EXPECT_EQ(runner_.scripts(),
            (Scripts{"bans { 192.0.2.1, 192.0.2.0/24, 198.51.100.7 }", "unbans { 192.0.2.1, 192.0.2.0/24, 198.51.100.7 }"}));
  EXPECT_EQ(action.commands_run(), 2u);
  EXPECT_TRUE(errors_.empty());
}

TEST_F(CommandActionBatchTest, SplitsIpv4AndIpv6IntoBatchesOfTheirFamily) {
  CommandAction action = Make(Spec({{"actionban_batch", "bans <set> <family> { <ipbatch> }"},
                                    {"set", "v4"},
                                    {"set?family=inet6", "v6"}}));
  EXPECT_EQ(action.families(), (Scripts{"inet4", "inet6"}));
  EXPECT_TRUE(action.BanBatch(Tickets({"2001:db8::1", "192.0.2.1", "2001:db8::2", "192.0.2.2"})));
  EXPECT_EQ(runner_.scripts(), (Scripts{"start inet4", "bans v4 inet4 { 192.0.2.1, 192.0.2.2 }", "start inet6",
                                        "bans v6 inet6 { 2001:db8::1, 2001:db8::2 }"}));
}

TEST_F(CommandActionBatchTest, SplitsIpv4AndIpv6EvenWithoutConditionalOptions) {
  CommandAction action = Make(Spec({{"actionban_batch", "bans <family> { <ipbatch> }"}}));
  EXPECT_TRUE(action.BanBatch(Tickets({"2001:db8::1", "192.0.2.1"})));
  EXPECT_EQ(runner_.scripts(), (Scripts{"bans inet4 { 192.0.2.1 }", "bans inet6 { 2001:db8::1 }"}));
}

TEST_F(CommandActionBatchTest, CutsBatchesAtTheCountCap) {
  CommandAction action = Make(Spec(), {.batch_max = 3});
  EXPECT_TRUE(action.BanBatch(Many(7)));
  EXPECT_EQ(runner_.scripts(), (Scripts{"bans { 10.0.0.0, 10.0.0.1, 10.0.0.2 }", "bans { 10.0.0.3, 10.0.0.4, 10.0.0.5 }",
                                        "bans { 10.0.0.6 }"}));
}

TEST_F(CommandActionBatchTest, CutsBatchesAtTheByteCap) {
  CommandAction action = Make(Spec(), {.batch_max_bytes = 40});
  auto tickets = Many(100);
  EXPECT_TRUE(action.BanBatch(tickets));
  std::vector<std::string> all;
  Scripts scripts = runner_.scripts();
  for (size_t i = 0; i < scripts.size(); ++i) {
    std::string list = scripts[i].substr(7, scripts[i].size() - 9);  // "bans { " ... " }"
    EXPECT_LE(list.size(), 40u) << list;
    auto ips = ListOf(scripts[i]);
    if (i + 1 < scripts.size()) {  // cut only because the next address did not fit
      EXPECT_GT(list.size() + 2 + ListOf(scripts[i + 1]).front().size(), 40u) << list;
    }
    all.insert(all.end(), ips.begin(), ips.end());
  }
  EXPECT_EQ(all, IpsOf(tickets));
}

TEST_F(CommandActionBatchTest, HalvesABatchUntilEachArgvStringFitsMaxArgStrlen) {
  // <ipbatch> three times, caps far above the limit: 20,000 addresses, ~880 KB per command.
  CommandAction action = Make(Spec({{"actionban_batch", "bans { <ipbatch> } { <ipbatch> } { <ipbatch> }"}}),
                              {.batch_max = 1'000'000, .batch_max_bytes = 100'000'000});
  auto tickets = Many(20'000, /*v6=*/true);
  EXPECT_TRUE(action.BanBatch(tickets));
  std::vector<std::string> all;
  for (const auto& argv : runner_.argvs()) {
    for (const std::string& arg : argv) EXPECT_LT(arg.size(), 131'072u);
    EXPECT_GT(argv[2].size(), 131'072u / 2 - 1'000) << "halved more than needed";
    for (std::string& ip : ListOf(argv[2])) all.push_back(std::move(ip));
  }
  EXPECT_EQ(runner_.argvs().size(), 8u);
  EXPECT_EQ(all, IpsOf(tickets));
}

TEST_F(CommandActionBatchTest, KeepsHostileIdsOutOfTheScript) {
  // Ids that are no address never join a batch (one of them would make nft reject all);
  // each runs actionban alone, its value a separate argv entry.
  CommandAction action = Make(Spec());
  const std::string hostile[] = {"x; rm -rf /", "$(reboot)", "`id`", "a'b\"c", "host\nname"};
  std::vector<ban::Ticket> tickets = Tickets({"192.0.2.1"});
  for (const std::string& h : hostile) tickets.push_back(TicketFor(h));
  tickets.push_back(TicketFor("192.0.2.2"));
  EXPECT_TRUE(action.BanBatch(tickets));
  auto argvs = runner_.argvs();
  ASSERT_EQ(argvs.size(), std::size(hostile) + 1);
  for (size_t i = 0; i < std::size(hostile); ++i) {
    EXPECT_EQ(argvs[i], (Scripts{"/bin/sh", "-c", "f2bV_ip=$0 \nban $f2bV_ip", hostile[i]}));
  }
  EXPECT_EQ(argvs.back(), (Scripts{"/bin/sh", "-c", "bans { 192.0.2.1, 192.0.2.2 }"}));
}

TEST_F(CommandActionBatchTest, RunsOneActionbanPerTicketWithoutTheBatchKey) {
  CommandAction action = Make(Spec({}, /*batch=*/false));
  EXPECT_FALSE(action.has_ban_batch());
  auto tickets = Tickets({"192.0.2.1", "2001:db8::1", "192.0.2.2"});
  EXPECT_TRUE(action.BanBatch(tickets));
  EXPECT_TRUE(action.UnbanBatch(tickets));
  EXPECT_EQ(runner_.scripts(), (Scripts{"ban 192.0.2.1", "ban 2001:db8::1", "ban 192.0.2.2", "unban 192.0.2.1",
                                        "unban 2001:db8::1", "unban 192.0.2.2"}));
}

TEST_F(CommandActionBatchTest, SkipsRestoredTicketsForNorestoredActions) {
  config::ActionSpec spec = Spec();
  spec.norestored = true;
  CommandAction action = Make(spec);
  std::vector<ban::Ticket> tickets = {TicketFor("192.0.2.1", true), TicketFor("192.0.2.2"),
                                      TicketFor("192.0.2.3", true)};
  EXPECT_TRUE(action.BanBatch(tickets));
  EXPECT_EQ(runner_.scripts(), (Scripts{"bans { 192.0.2.2 }"}));
}

TEST_F(CommandActionBatchTest, ListsAnAddressOnceInABatch) {
  CommandAction action = Make(Spec());
  EXPECT_TRUE(action.UnbanBatch(Tickets({"192.0.2.1"})));  // nothing banned yet: no command
  EXPECT_TRUE(action.BanBatch(Tickets({"192.0.2.1", "192.0.2.2", "192.0.2.1"})));
  EXPECT_TRUE(action.UnbanBatch(Tickets({"192.0.2.2", "192.0.2.2"})));
  EXPECT_EQ(runner_.scripts(), (Scripts{"bans { 192.0.2.1, 192.0.2.2 }", "unbans { 192.0.2.2 }"}));
}

TEST_F(CommandActionBatchTest, UnbansOnlyInAFamilyThatHadBans) {
  CommandAction action = Make(Spec({{"blocktype?family=inet6", "x"}}));
  action.BanBatch(Tickets({"192.0.2.1"}));
  runner_.Clear();
  EXPECT_TRUE(action.UnbanBatch(Tickets({"2001:db8::1", "192.0.2.1"})));
  EXPECT_EQ(runner_.scripts(), (Scripts{"unbans { 192.0.2.1 }"}));
}

TEST_F(CommandActionBatchTest, AfterAFailedBatchChecksRetriesOnceThenBansOneByOne) {
  runner_.exit_code = [](const std::string& s) { return s.starts_with("bans") || s == "ban 192.0.2.2" ? 1 : 0; };
  CommandAction action = Make(Spec({{"actioncheck", "check"}}));
  EXPECT_FALSE(action.BanBatch(Tickets({"192.0.2.1", "192.0.2.2", "192.0.2.3"})));
  EXPECT_EQ(runner_.scripts(), (Scripts{"bans { 192.0.2.1, 192.0.2.2, 192.0.2.3 }", "check",
                                        "bans { 192.0.2.1, 192.0.2.2, 192.0.2.3 }", "ban 192.0.2.1",
                                        "ban 192.0.2.2", "ban 192.0.2.3"}));
  EXPECT_EQ(errors_, (Scripts{"test: actionban_batch failed: exit code 1", "test: actionban_batch failed: exit code 1",
                              "test: actionban_batch failed; running actionban for each of 3 addresses",
                              "test: actionban failed: exit code 1"}));
  runner_.Clear();
  EXPECT_TRUE(action.UnbanBatch(Tickets({"192.0.2.1"})));  // the others were banned
  EXPECT_EQ(runner_.scripts(), (Scripts{"unbans { 192.0.2.1 }"}));
}

TEST_F(CommandActionBatchTest, WithoutActioncheckGoesOneByOneAtOnce) {
  runner_.exit_code = [](const std::string& s) { return s.starts_with("unbans") ? 1 : 0; };
  CommandAction action = Make(Spec());
  action.BanBatch(Tickets({"192.0.2.1", "192.0.2.2"}));
  runner_.Clear();
  EXPECT_TRUE(action.UnbanBatch(Tickets({"192.0.2.1", "192.0.2.2"})));
  EXPECT_EQ(runner_.scripts(), (Scripts{"unbans { 192.0.2.1, 192.0.2.2 }", "unban 192.0.2.1", "unban 192.0.2.2"}));
}

TEST_F(CommandActionBatchTest, RetriesTheBatchOnceAfterARepair) {
  int checks = 0, batches = 0;
  runner_.exit_code = [&](const std::string& s) {
    if (s == "check") return ++checks == 1 ? 1 : 0;
    if (s.starts_with("bans")) return ++batches == 1 ? 1 : 0;
    return 0;
  };
  CommandAction action = Make(Spec({{"actioncheck", "check"}, {"actionrepair", "repair"}}));
  EXPECT_TRUE(action.BanBatch(Tickets({"192.0.2.1", "192.0.2.2"})));
  EXPECT_EQ(runner_.scripts(), (Scripts{"bans { 192.0.2.1, 192.0.2.2 }", "check", "repair", "check",
                                        "bans { 192.0.2.1, 192.0.2.2 }"}));
}

TEST_F(CommandActionBatchTest, GivesUpTheBatchWhenTheRepairFails) {
  runner_.exit_code = [](const std::string& s) { return s == "start " ? 0 : 1; };
  CommandAction action = Make(Spec({{"actioncheck", "check"}, {"actionrepair", "repair"}}));
  EXPECT_FALSE(action.BanBatch(Tickets({"192.0.2.1", "192.0.2.2"})));
  EXPECT_EQ(runner_.scripts(), (Scripts{"bans { 192.0.2.1, 192.0.2.2 }", "check", "repair"}));
  EXPECT_EQ(errors_.back(), "test: Unable to restore environment");
}

// The runner takes whatever is queued when its worker becomes free.
std::unique_ptr<ActionRunner> MakeRunner(std::vector<config::ActionSpec> specs, FakeCommandRunner& fake,
                                         size_t queue_limit = 10'000) {
  ActionRunnerOptions options;
  options.queue_limit = queue_limit;
  options.action.now = [] { return 1124013600.0; };
  auto runner = ActionRunner::Create(specs, fake, options);
  EXPECT_TRUE(runner.has_value()) << runner.error().ToString();
  return std::move(*runner);
}

TEST(ActionRunnerBatchTest, ALoneBanRunsAtOnceAsOneCommand) {
  FakeCommandRunner fake;
  auto runner = MakeRunner({Spec()}, fake);
  EXPECT_TRUE(runner->Ban(TicketFor("192.0.2.1")));
  EXPECT_TRUE(fake.WaitRan("bans { 192.0.2.1 }"));  // nothing else queued, nothing waited for
  ASSERT_TRUE(runner->WaitIdle(10s));
  EXPECT_EQ(fake.scripts(), (Scripts{"bans { 192.0.2.1 }"}));
  EXPECT_EQ(runner->CommandsRun(), 1u);
}

TEST(ActionRunnerBatchTest, BatchCommandsReadTheAddressesOnStdin) {
  FakeCommandRunner fake;
  fake.block_prefix = "read";
  // Without <ipbatch> in the command only the count caps a batch: no argv limit.
  auto runner = MakeRunner({Spec({{"actionban_batch", "read <family>"}})}, fake);
  runner->Ban(TicketFor("192.0.2.1"));
  ASSERT_TRUE(fake.WaitBlocked(1));
  auto tickets = Many(5'000);
  for (const ban::Ticket& t : tickets) ASSERT_TRUE(runner->Ban(t));
  fake.Release();
  ASSERT_TRUE(runner->WaitIdle(10s));
  std::vector<std::string> inputs = fake.inputs();
  ASSERT_EQ(inputs.size(), 1u + 5'000 / 1'000);  // batch_max (1,000 by default), not bytes
  EXPECT_EQ(inputs[0], "192.0.2.1\n");
  std::string expected;
  for (size_t i = 0; i < 1'000; ++i) expected += tickets[i].id.ToString() + "\n";
  EXPECT_EQ(inputs[1], expected);
}

TEST(ActionRunnerBatchTest, StopDropsBansStillQueued) {
  FakeCommandRunner fake;
  fake.block_prefix = "ban 192.0.2.1";
  auto runner = MakeRunner({Spec({}, /*batch=*/false)}, fake);
  runner->Ban(TicketFor("192.0.2.1"));
  ASSERT_TRUE(fake.WaitBlocked(1));
  for (const ban::Ticket& t : Many(500)) ASSERT_TRUE(runner->Ban(t));
  // Stop drops the queued bans at once and queues the flush, then waits for the ban
  // in progress: released only then, that ban cannot let the queued ones run first
  // (releasing before Stop made this test fail under load).
  size_t dropped = 0;
  std::thread stopper([&] { dropped = runner->Stop({}); });
  for (int i = 0; i < 10'000 && runner->QueuedJobs() != 1; ++i) std::this_thread::sleep_for(1ms);
  fake.Release();
  stopper.join();
  EXPECT_EQ(dropped, 500u);
  Scripts scripts = fake.scripts();
  EXPECT_EQ(std::count_if(scripts.begin(), scripts.end(), [](auto& s) { return s.starts_with("ban "); }), 1);
}

TEST(ActionRunnerBatchTest, FiveThousandQueuedBansBecomeAFewBatchCommands) {
  FakeCommandRunner fake;
  fake.block_prefix = "bans { 192.0.2.1 }";
  auto runner = MakeRunner({Spec()}, fake);
  runner->Ban(TicketFor("192.0.2.1"));
  ASSERT_TRUE(fake.WaitBlocked(1));  // the worker is busy: the next bans queue up
  auto tickets = Many(5'000);
  for (const ban::Ticket& t : tickets) ASSERT_TRUE(runner->Ban(t));
  fake.Release();
  ASSERT_TRUE(runner->WaitIdle(10s));
  Scripts scripts = fake.scripts();
  ASSERT_EQ(scripts.size(), 6u);  // the lone first one, then 5 x 1,000
  std::vector<std::string> all;
  for (size_t i = 1; i < scripts.size(); ++i) {
    auto ips = ListOf(scripts[i]);
    EXPECT_EQ(ips.size(), 1'000u);
    all.insert(all.end(), ips.begin(), ips.end());
  }
  EXPECT_EQ(all, IpsOf(tickets));
  EXPECT_EQ(runner->CommandsRun(), 6u);
}

TEST(ActionRunnerBatchTest, CoalescesOnlyNeighbouringBansOrUnbans) {
  FakeCommandRunner fake;
  fake.block_prefix = "start";
  auto runner = MakeRunner({Spec()}, fake);
  std::thread start([&] { runner->Start(); });  // Start waits; the worker blocks in it
  ASSERT_TRUE(fake.WaitBlocked(1));
  auto a = TicketFor("192.0.2.1"), b = TicketFor("192.0.2.2"), c = TicketFor("192.0.2.3");
  runner->Ban(a);
  runner->Ban(b);
  runner->Unban(a);
  runner->Ban(a);
  runner->Ban(c);
  runner->Unban(a);
  runner->Unban(b);
  fake.Release();
  start.join();
  ASSERT_TRUE(runner->WaitIdle(10s));
  EXPECT_EQ(fake.scripts(), (Scripts{"start ", "bans { 192.0.2.1, 192.0.2.2 }", "unbans { 192.0.2.1 }",
                                     "bans { 192.0.2.1, 192.0.2.3 }", "unbans { 192.0.2.1, 192.0.2.2 }"}));
}

TEST(ActionRunnerBatchTest, AnActionWithoutTheBatchKeyStillRunsOneCommandPerTicket) {
  FakeCommandRunner fake;
  fake.block_prefix = "ban 10.0.0.0";
  auto runner = MakeRunner({Spec({}, /*batch=*/false), Spec({{"actionban_batch", "other { <ipbatch> }"}})}, fake);
  auto tickets = Many(50);
  for (const ban::Ticket& t : tickets) runner->Ban(t);
  ASSERT_TRUE(fake.WaitBlocked(1));
  fake.Release();
  ASSERT_TRUE(runner->WaitIdle(10s));
  Scripts scripts = fake.scripts();
  Scripts singles, batches;
  for (const std::string& s : scripts) (s.starts_with("ban ") ? singles : batches).push_back(s);
  EXPECT_EQ(singles.size(), 50u);
  EXPECT_EQ(singles.front(), "ban 10.0.0.0");
  EXPECT_EQ(singles.back(), "ban 10.0.0.49");
  EXPECT_LE(batches.size(), 50u);
  EXPECT_EQ(runner->CommandsRun(), scripts.size());
}

TEST(ActionRunnerBatchTest, StopUnbansInBatchesWhenThereIsNoFlush) {
  FakeCommandRunner fake;
  auto runner = MakeRunner({Spec()}, fake);
  auto tickets = Many(2'500);
  for (const ban::Ticket& t : tickets) runner->Ban(t);
  ASSERT_TRUE(runner->WaitIdle(10s));
  fake.Clear();
  runner->Stop(tickets);
  Scripts scripts = fake.scripts();
  ASSERT_EQ(scripts.size(), 4u);
  EXPECT_EQ(ListOf(scripts[0]).size(), 1'000u);
  EXPECT_EQ(ListOf(scripts[2]).size(), 500u);
  EXPECT_EQ(scripts[3], "stop ");
}

}  // namespace
}  // namespace portcullis::action
