// Our own action files (actions/*.conf): read by our reader and by fail2ban's, and run
// for real through ActionRunner and ProcessRunner inside a network namespace, so the
// host's firewall is never touched. Tests that need root, `ip netns`, nft, ipset or
// fail2ban skip with the reason when the machine lacks them.

#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "portcullis/action/action_info.h"
#include "portcullis/action/action_runner.h"
#include "portcullis/action/shell_command.h"
#include "portcullis/base/json.h"
#include "portcullis/config/action_reader.h"
#include "portcullis/platform/process_runner.h"

namespace portcullis::action {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

const std::string kActions = std::string(PORTCULLIS_SOURCE_DIR) + "/actions";

// A config folder whose action.d is our actions/ folder.
class ActionDir {
 public:
  ActionDir() {
    std::string pattern = (fs::temp_directory_path() / "portcullis-actions-XXXXXX").string();
    if (::mkdtemp(pattern.data())) dir_ = pattern;
    fs::create_directory_symlink(kActions, dir_ + "/action.d");
  }
  ~ActionDir() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

Result<config::ActionSpec> ReadOurs(const ActionDir& dir, const std::string& name, config::OptionMap options = {}) {
  config::ActionRequest request;
  request.basedir = dir.dir();
  request.name = name;
  request.jail = "batchtest";
  request.options = std::move(options);
  return config::ReadAction(request);
}

platform::ProcessResult Sh(const std::string& script) {
  platform::ProcessRunner runner;
  auto result = runner.Run({"/bin/sh", "-c", script}, {.timeout = 60s, .max_output = 16 << 20});
  return result ? *result : platform::ProcessResult{};
}

bool HasProgram(const std::string& name) { return Sh("command -v " + name).Succeeded(); }

config::OptionMap Options(std::initializer_list<std::pair<std::string, std::string>> pairs) {
  config::OptionMap map;
  for (const auto& [k, v] : pairs) map.Set(k, v);
  return map;
}

TEST(ActionFilesTest, OurReaderReadsTheBatchCommands) {
  ActionDir dir;
  auto nft = ReadOurs(dir, "nftables-set");
  ASSERT_TRUE(nft) << nft.error().ToString();
  // The batch commands read the addresses on stdin (no argv size limit) and end in one
  // nft transaction; the rest of the script is checked by running it (NetnsActionTest).
  const std::string& ban = *nft->definition.Find("actionban_batch");
  EXPECT_TRUE(ban.starts_with("op=add\nawk -v op=$op '\n")) << ban;
  EXPECT_TRUE(ban.ends_with("END { emit(\"banned\", hosts, h); emit(\"banned-nets\", nets, k) }' | nft -f -"))
      << ban;
  EXPECT_NE(ban.find("add element <nft_family> pc-batchtest \" set \" {"), std::string::npos) << ban;
  EXPECT_EQ(ban.find("<ipbatch>"), std::string::npos);
  EXPECT_TRUE(nft->definition.Find("actionunban_batch")->starts_with("op=del\n"));
  EXPECT_EQ(*nft->init.Find("nft_family?family=inet6"), "ip6");
  auto ipset = ReadOurs(dir, "ipset-set");
  ASSERT_TRUE(ipset) << ipset.error().ToString();
  EXPECT_EQ(*ipset->definition.Find("actionban_batch"), "sed -n 's/^./add <ipset> &/p' | ipset restore -exist");
  EXPECT_EQ(*ipset->init.Find("maxelem"), "10000000");
  EXPECT_EQ(*ipset->init.Find("ipset?family=inet6"), "pc6-<name>");
}

// What fail2ban 1.0.2's ActionReader sends the server for the action ("multi-set").
constexpr const char* kFail2banConvert = R"(
import json, sys
from fail2ban.client.actionreader import ActionReader
r = ActionReader(sys.argv[2], "batchtest", json.loads(sys.argv[3]), basedir=sys.argv[1])
if not r.read(): sys.exit("cannot read")
r.getOptions({})
print(json.dumps(r.convert()[1][4]))
)";

TEST(ActionFilesTest, Fail2bansReaderReadsTheSameCommandsAndSkipsTheBatchKeys) {
  if (!Sh("/usr/bin/python3 -c 'import fail2ban'").Succeeded()) GTEST_SKIP() << "/usr/bin/python3 cannot import fail2ban";
  ActionDir dir;
  for (const char* name : {"nftables-set", "ipset-set"}) {
    config::OptionMap options = Options({{"port", "22,1000:2000"}, {"protocol", "tcp,udp"}});
    platform::ProcessRunner runner;
    auto out = runner.Run({"/usr/bin/python3", "-c", kFail2banConvert, dir.dir(), name,
                           R"({"port": "22,1000:2000", "protocol": "tcp,udp"})"},
                          {.timeout = 60s});
    ASSERT_TRUE(out && out->Succeeded()) << name << ": " << (out ? out->output : out.error().ToString());
    auto theirs = json::Parse(out->output);
    ASSERT_TRUE(theirs) << theirs.error().ToString();
    auto ours = ReadOurs(dir, name, options);
    ASSERT_TRUE(ours) << ours.error().ToString();
    std::vector<std::pair<std::string, std::string>> expected;
    for (const auto& [key, value] : ours->definition) {
      if (!key.ends_with("_batch")) expected.emplace_back(key, value);
    }
    for (const auto& [key, value] : ours->init) expected.emplace_back(key, value);
    std::vector<std::pair<std::string, std::string>> got;
    for (const json::Value& pair : theirs->as_array()) {
      got.emplace_back(pair.as_array()[0].as_string(), pair.as_array()[1].as_string());
    }
    EXPECT_EQ(got, expected) << name;
  }
}

// Runs every command inside the network namespace `ns`.
class NetnsRunner : public platform::CommandRunner {
 public:
  NetnsRunner(std::string ip, std::string ns) : ip_(std::move(ip)), ns_(std::move(ns)) {}
  Result<platform::ProcessResult> Run(const std::vector<std::string>& argv,
                                      const platform::RunOptions& options) override {
    std::vector<std::string> wrapped = {ip_, "netns", "exec", ns_};
    wrapped.insert(wrapped.end(), argv.begin(), argv.end());
    return real_.Run(wrapped, options);
  }

 private:
  platform::ProcessRunner real_;
  std::string ip_, ns_;
};

std::string IpProgram() {
  for (const char* path : {"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"}) {
    if (::access(path, X_OK) == 0) return path;
  }
  return "";
}

std::vector<ban::Ticket> Addresses(size_t v4, size_t v6) {
  std::vector<ban::Ticket> tickets;
  char text[64];
  for (size_t i = 0; i < v4 + v6; ++i) {
    if (i < v4) {
      std::snprintf(text, sizeof text, "10.%zu.%zu.%zu", (i >> 16) & 255, (i >> 8) & 255, i & 255);
    } else {
      std::snprintf(text, sizeof text, "2001:db8::%zx", i - v4 + 1);
    }
    ban::Ticket t;
    t.id = IpAddr::Parse(text);
    t.time = 1124013600;
    tickets.push_back(std::move(t));
  }
  return tickets;
}

// A fresh network namespace per test, with ActionRunner over one of our action files.
class NetnsActionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ip_ = IpProgram();
    if (ip_.empty()) GTEST_SKIP() << "no ip program (iproute2) to make a network namespace";
    ns_ = "pc-batch-" + std::to_string(::getpid());
    Sh(ip_ + " netns del " + ns_ + " 2>/dev/null");
    auto made = Sh(ip_ + " netns add " + ns_ + " 2>&1");
    if (!made.Succeeded()) GTEST_SKIP() << "the kernel refused `ip netns add " << ns_ << "`: " << made.output;
    made_ = true;
  }
  void TearDown() override {
    runner_.reset();
    if (made_) Sh(ip_ + " netns del " + ns_);
  }

  // `script` run in the namespace.
  platform::ProcessResult InNs(const std::string& script) {
    platform::ProcessRunner runner;
    auto result = runner.Run({ip_, "netns", "exec", ns_, "/bin/sh", "-c", script}, {.timeout = 60s, .max_output = 16 << 20});
    return result ? *result : platform::ProcessResult{};
  }

  // Whether the action's actioncheck for `family` succeeds in the namespace.
  bool CheckPasses(const config::ActionSpec& spec, const std::string& family) {
    config::OptionMap properties = spec.definition;
    for (const auto& [name, value] : spec.init) properties.Set(name, value);
    auto check = BuildActionCommand("<actioncheck>", properties, ActionInfo::ForOperation(0, family, 600));
    if (!check) return false;
    std::vector<std::string> argv = {ip_, "netns", "exec", ns_};
    for (std::string& arg : check->Argv()) argv.push_back(std::move(arg));
    platform::ProcessRunner runner;
    auto result = runner.Run(argv, {.timeout = 60s});
    return result && result->Succeeded();
  }

  void MakeRunner(const config::ActionSpec& spec) {
    netns_runner_ = std::make_unique<NetnsRunner>(ip_, ns_);
    ActionRunnerOptions options;
    options.queue_limit = 100'000;
    options.action.log_error = [this](std::string_view message) {
      std::lock_guard lock(mu_);
      errors_.emplace_back(message);
    };
    auto runner = ActionRunner::Create({spec}, *netns_runner_, options);
    ASSERT_TRUE(runner) << runner.error().ToString();
    runner_ = std::move(*runner);
    runner_->Start();
  }

  // Bans (or unbans) all `tickets` through the runner; the seconds it took.
  double RunAll(const std::vector<ban::Ticket>& tickets, bool unban) {
    auto start = std::chrono::steady_clock::now();
    for (const ban::Ticket& t : tickets) {
      if (unban) {
        runner_->Unban(t);
      } else {
        EXPECT_TRUE(runner_->Ban(t));
      }
    }
    EXPECT_TRUE(runner_->WaitIdle(300s));
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }

  std::vector<std::string> errors() {
    std::lock_guard lock(mu_);
    return errors_;
  }

  void Report(const std::string& what, double seconds, size_t commands) {
    std::printf("[ figures  ] %s: %.3f s, %zu commands\n", what.c_str(), seconds, commands);
    RecordProperty(what, std::to_string(seconds) + " s, " + std::to_string(commands) + " commands");
  }

  std::string ip_, ns_;
  bool made_ = false;
  std::unique_ptr<NetnsRunner> netns_runner_;
  std::unique_ptr<ActionRunner> runner_;
  std::mutex mu_;
  std::vector<std::string> errors_;
};

// The elements of `nft list set` output: the entries between "elements = {" and "}".
size_t NftElements(const std::string& listing) {
  size_t open = listing.find("elements = {");
  if (open == std::string::npos) return 0;
  size_t close = listing.find('}', open);
  size_t count = 0;
  bool in_token = false;
  for (size_t i = open + 12; i < close; ++i) {
    bool sep = listing[i] == ',' || listing[i] == ' ' || listing[i] == '\n' || listing[i] == '\t';
    if (!sep && !in_token) ++count;
    in_token = !sep;
  }
  return count;
}

// 10,000 IPv4 addresses with 25 ranges (172.16.N.0/24) among them, and 1,000 IPv6.
TEST_F(NetnsActionTest, NftablesSetBansAndUnbansTenThousandAddressesInBatches) {
  if (!HasProgram("nft")) GTEST_SKIP() << "nft is not installed";
  ActionDir dir;
  auto spec = ReadOurs(dir, "nftables-set", Options({{"port", "22,1000:2000"}}));
  ASSERT_TRUE(spec) << spec.error().ToString();
  ASSERT_NO_FATAL_FAILURE(MakeRunner(*spec));
  auto v4 = Addresses(10'000, 0);
  for (size_t i = 0; i < 25; ++i) {
    ban::Ticket range;
    range.id = IpAddr::Parse("172.16." + std::to_string(i) + ".0/24");
    v4.insert(v4.begin() + static_cast<long>(i * 400), range);
  }
  const auto v6 = Addresses(0, 1'000);
  auto count = [&](const std::string& family, const std::string& set) {
    return NftElements(InNs("nft list set " + family + " pc-batchtest " + set).output);
  };

  double seconds = RunAll(v4, false);
  size_t commands = runner_->CommandsRun();
  Report("ban 10025 IPv4 entries into the nft sets", seconds, commands);
  EXPECT_LE(commands, 1 + 10'025 / 1'000 + 5);  // actionstart, then batches: far from 10,025
  EXPECT_EQ(count("ip", "banned"), 10'000u);
  EXPECT_EQ(count("ip", "banned-nets"), 25u);
  auto chain = InNs("nft list chain ip pc-batchtest input").output;
  EXPECT_NE(chain.find("tcp dport { 22, 1000-2000 } ip saddr @banned reject"), std::string::npos) << chain;
  EXPECT_NE(chain.find("tcp dport { 22, 1000-2000 } ip saddr @banned-nets reject"), std::string::npos) << chain;
  EXPECT_TRUE(CheckPasses(*spec, "inet4"));
  EXPECT_FALSE(CheckPasses(*spec, "inet6"));  // not started yet

  commands = runner_->CommandsRun();
  seconds = RunAll(v6, false);
  Report("ban 1000 IPv6 into the nft set", seconds, runner_->CommandsRun() - commands);
  EXPECT_EQ(count("ip6", "banned"), 1'000u);
  EXPECT_EQ(count("ip", "banned"), 10'000u);

  commands = runner_->CommandsRun();
  seconds = RunAll(v4, true);
  Report("unban 10025 IPv4 entries from the nft sets", seconds, runner_->CommandsRun() - commands);
  EXPECT_EQ(count("ip", "banned"), 0u);
  EXPECT_EQ(count("ip", "banned-nets"), 0u);
  EXPECT_EQ(count("ip6", "banned"), 1'000u);

  runner_->Stop({});  // actionflush, then actionstop per family: the tables go
  EXPECT_EQ(InNs("nft list tables").output, "");
  EXPECT_FALSE(CheckPasses(*spec, "inet4"));
  EXPECT_EQ(errors(), std::vector<std::string>{});
}

TEST_F(NetnsActionTest, NftablesSetRunsFail2bansPerAddressCommandsToo) {
  if (!HasProgram("nft")) GTEST_SKIP() << "nft is not installed";
  ActionDir dir;
  auto spec = ReadOurs(dir, "nftables-set", Options({{"type", "allports"}, {"blocktype", "drop"}}));
  ASSERT_TRUE(spec) << spec.error().ToString();
  spec->definition.Erase("actionban_batch");  // as fail2ban runs the file
  spec->definition.Erase("actionunban_batch");
  ASSERT_NO_FATAL_FAILURE(MakeRunner(*spec));
  auto tickets = Addresses(50, 10);
  ban::Ticket range;
  range.id = IpAddr::Parse("172.16.0.0/12");
  tickets.push_back(range);
  double seconds = RunAll(tickets, false);
  Report("ban 61 entries one by one (no batch keys)", seconds, runner_->CommandsRun());
  EXPECT_EQ(NftElements(InNs("nft list set ip pc-batchtest banned").output), 50u);
  EXPECT_EQ(NftElements(InNs("nft list set ip pc-batchtest banned-nets").output), 1u);
  EXPECT_EQ(NftElements(InNs("nft list set ip6 pc-batchtest banned").output), 10u);
  auto chain = InNs("nft list chain ip pc-batchtest input").output;
  EXPECT_NE(chain.find("meta l4proto tcp ip saddr @banned drop"), std::string::npos) << chain;
  EXPECT_TRUE(CheckPasses(*spec, "inet4"));
  RunAll(tickets, true);
  EXPECT_EQ(NftElements(InNs("nft list set ip pc-batchtest banned").output), 0u);
  EXPECT_EQ(NftElements(InNs("nft list set ip pc-batchtest banned-nets").output), 0u);
  runner_->Stop({});
  EXPECT_EQ(InNs("nft list tables").output, "");
  EXPECT_EQ(errors(), std::vector<std::string>{});
}

size_t IpsetEntries(const std::string& listing) {
  size_t at = listing.find("Number of entries: ");
  return at == std::string::npos ? 0 : std::stoul(listing.substr(at + 19));
}

TEST_F(NetnsActionTest, IpsetSetBansAndUnbansTenThousandAddressesInBatches) {
  if (!HasProgram("ipset") || !HasProgram("iptables")) GTEST_SKIP() << "ipset or iptables is not installed";
  ActionDir dir;
  auto spec = ReadOurs(dir, "ipset-set", Options({{"port", "22,1000:2000"}, {"protocol", "tcp,udp"}}));
  ASSERT_TRUE(spec) << spec.error().ToString();
  ASSERT_NO_FATAL_FAILURE(MakeRunner(*spec));
  const auto v4 = Addresses(10'000, 0), v6 = Addresses(0, 1'000);

  double seconds = RunAll(v4, false);
  size_t commands = runner_->CommandsRun();
  Report("ban 10000 IPv4 into the ipset", seconds, commands);
  EXPECT_LE(commands, 1 + 10'000 / 1'000 + 5);
  EXPECT_EQ(IpsetEntries(InNs("ipset list -terse pc4-batchtest").output), 10'000u);
  auto rules = InNs("iptables -S INPUT").output;
  EXPECT_NE(rules.find("-A INPUT -p udp -m multiport --dports 22,1000:2000 -m set --match-set pc4-batchtest src"),
            std::string::npos) << rules;
  EXPECT_TRUE(CheckPasses(*spec, "inet4"));
  RunAll(v6, false);
  EXPECT_EQ(IpsetEntries(InNs("ipset list -terse pc6-batchtest").output), 1'000u);
  EXPECT_TRUE(CheckPasses(*spec, "inet6"));

  commands = runner_->CommandsRun();
  seconds = RunAll(v4, true);
  Report("unban 10000 IPv4 from the ipset", seconds, runner_->CommandsRun() - commands);
  EXPECT_EQ(IpsetEntries(InNs("ipset list -terse pc4-batchtest").output), 0u);

  runner_->Stop({});
  EXPECT_EQ(InNs("ipset list -name").output, "");
  EXPECT_EQ(InNs("iptables -S INPUT; ip6tables -S INPUT").output, "-P INPUT ACCEPT\n-P INPUT ACCEPT\n");
  EXPECT_EQ(errors(), std::vector<std::string>{});
}

}  // namespace
}  // namespace portcullis::action
