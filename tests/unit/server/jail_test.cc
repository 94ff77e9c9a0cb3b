// The jail's logic with a fake clock, a fake log source and a fake command runner:
// real log files and a real (in-memory) SQLite database.

#include "portcullis/server/jail.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "portcullis/config/action_reader.h"
#include "portcullis/log/fake_log_source.h"

namespace portcullis::server {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr double kNow = 1124013600;

// Records each command's script and values; always succeeds.
class RecordingRunner final : public platform::CommandRunner {
 public:
  Result<platform::ProcessResult> Run(const std::vector<std::string>& argv, const platform::RunOptions&) override {
    std::lock_guard lock(mu_);
    std::string text = argv.size() > 2 ? argv[2] : argv[0];
    for (size_t i = 3; i < argv.size(); ++i) text += " [" + argv[i] + "]";
    // keep only the command itself (after the f2bV_ assignments)
    if (auto nl = text.find('\n'); nl != std::string::npos && text.starts_with("f2bV_")) text = text.substr(nl + 1);
    commands_.push_back(text);
    platform::ProcessResult result;
    result.exit_code = 0;
    return result;
  }
  std::vector<std::string> commands() {
    std::lock_guard lock(mu_);
    return commands_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> commands_;
};

class JailTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "portcullis-jail-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    fs::create_directories(dir_ + "/action.d");
    std::ofstream(dir_ + "/action.d/rec.conf") << "[Definition]\n"
                                                  "actionban = ban <ip> <bantime> <failures>\n"
                                                  "actionunban = unban <ip>\n";
    std::ofstream(dir_ + "/action.d/history.conf") << "[Definition]\n"
                                                      "actionban = ban <ip> <ipjailfailures> <ipjailmatches>\n";
    log_path_ = dir_ + "/test.log";
    std::ofstream(log_path_).close();
    server_log_ = std::make_unique<ServerLog>(clock_);
    ASSERT_TRUE(server_log_->SetTarget(dir_ + "/server.log"));
    auto store = store::BanStore::Open(":memory:", clock_);
    ASSERT_TRUE(store) << store.error().ToString();
    store_.emplace(std::move(*store));
    writer_ = std::make_unique<StoreWriter>(*store_, *server_log_);
  }
  void TearDown() override {
    jail_.reset();
    writer_.reset();
    fs::remove_all(dir_);
  }

  config::JailSpec Spec(std::vector<std::pair<std::string, std::string>> options, std::string action = "rec") {
    config::JailSpec spec;
    spec.name = "test";
    spec.backend = "polling";
    config::FilterSpec filter;
    filter.name = "test";
    filter.failregex.push_back({"fail from <HOST>$", "test.conf", 1});
    filter.datepattern = "{^LN-BEG}EPOCH";
    spec.filter = filter;
    for (auto& [k, v] : options) spec.options.Set(k, v);
    spec.options.Set("ignoreself", "false");
    spec.logpaths.push_back({log_path_, false});
    auto action_spec = config::ReadAction({.basedir = dir_, .name = action, .jail = "test"});
    EXPECT_TRUE(action_spec) << action_spec.error().ToString();
    spec.actions.push_back(*action_spec);
    return spec;
  }

  void StartJail(const config::JailSpec& spec) {
    JailContext context;
    context.clock = &clock_;
    context.log = server_log_.get();
    context.store = &*store_;
    context.writer = writer_.get();
    context.runner = &runner_;
    context.resolve = [](std::string_view) { return std::vector<IpAddr>{}; };
    context.make_source = [this](log::Backend) -> Result<std::unique_ptr<log::LogSource>> {
      auto source = std::make_unique<log::FakeLogSource>();
      source_ = source.get();
      return source;
    };
    auto jail = Jail::Create(spec, context);
    ASSERT_TRUE(jail) << jail.error().ToString();
    jail_ = std::move(*jail);
    ASSERT_TRUE(jail_->Start(/*own_thread=*/false));
    jail_->RunOnce();  // opens the (empty) log: in operation from now on
  }

  // Appends "<time> fail from <ip>" lines and lets the jail read them.
  void Fail(const std::string& ip, double time, int times = 1) {
    {
      std::ofstream out(log_path_, std::ios::app);
      for (int i = 0; i < times; ++i) out << static_cast<long long>(time) << " fail from " << ip << "\n";
    }
    source_->Push({log::LogEvent::Kind::kChanged, log_path_, {}});
    jail_->RunOnce();
    jail_->WaitActionsIdle(5s);
  }

  std::vector<std::string> Commands() {
    jail_->WaitActionsIdle(5s);
    return runner_.commands();
  }

  std::string dir_, log_path_;
  FakeClock clock_{kNow};
  RecordingRunner runner_;
  std::unique_ptr<ServerLog> server_log_;
  std::optional<store::BanStore> store_;
  std::unique_ptr<StoreWriter> writer_;
  log::FakeLogSource* source_ = nullptr;
  std::unique_ptr<Jail> jail_;
};

TEST_F(JailTest, BansAtMaxretryWithinFindtime) {
  StartJail(Spec({{"maxretry", "3"}, {"findtime", "600"}, {"bantime", "600"}}));
  Fail("192.0.2.1", kNow - 10, 2);
  EXPECT_TRUE(Commands().empty());
  Fail("192.0.2.1", kNow);
  EXPECT_EQ(Commands(), std::vector<std::string>{"ban 192.0.2.1 600 3"});
  auto status = jail_->Status(control::StatusFlavor::kBasic);
  EXPECT_EQ(status.actions.currently_banned, 1);
  EXPECT_EQ(status.filter.total_failed, 3);
  EXPECT_EQ(status.filter.currently_failed, 0);
}

TEST_F(JailTest, FailuresOutsideFindtimeDoNotAddUp) {
  StartJail(Spec({{"maxretry", "2"}, {"findtime", "60"}}));
  Fail("192.0.2.1", kNow);
  clock_.Advance(120);
  Fail("192.0.2.1", kNow + 120);
  // the first failure is 120 s old: the rate over findtime is 1
  EXPECT_TRUE(Commands().empty());
}

TEST_F(JailTest, UnbansWhenTheBanTimeIsOver) {
  StartJail(Spec({{"maxretry", "1"}, {"bantime", "10m"}}));
  Fail("192.0.2.7", kNow);
  clock_.Advance(599);
  jail_->RunOnce();
  EXPECT_EQ(Commands().size(), 1u);
  clock_.Advance(2);
  jail_->RunOnce();
  EXPECT_EQ(Commands().back(), "unban 192.0.2.7");
  EXPECT_EQ(jail_->Status(control::StatusFlavor::kBasic).actions.currently_banned, 0);
}

TEST_F(JailTest, PermanentBanNeverEnds) {
  StartJail(Spec({{"maxretry", "1"}, {"bantime", "-1"}}));
  Fail("192.0.2.7", kNow);
  clock_.Advance(10 * 365 * 86400.0);
  jail_->RunOnce();
  EXPECT_EQ(Commands(), std::vector<std::string>{"ban 192.0.2.7 -1 1"});
}

TEST_F(JailTest, IgnoreIpNetworksAreNeverBanned) {
  auto spec = Spec({{"maxretry", "1"}});
  spec.ignoreip = {"192.0.2.0/24", "2001:db8::1"};
  StartJail(spec);
  Fail("192.0.2.99", kNow, 50);
  Fail("2001:db8::1", kNow, 50);
  Fail("198.51.100.1", kNow);
  EXPECT_EQ(Commands(), std::vector<std::string>{"ban 198.51.100.1 600 1"});
}

TEST_F(JailTest, BantimeIncrementDoublesForRepeatOffenders) {
  StartJail(Spec({{"maxretry", "1"}, {"bantime", "100"}, {"bantime.increment", "true"}}));
  Fail("192.0.2.5", kNow);
  clock_.Advance(101);
  jail_->RunOnce();  // unbanned
  Fail("192.0.2.5", kNow + 101);
  clock_.Advance(201);
  jail_->RunOnce();
  Fail("192.0.2.5", kNow + 302);
  auto commands = Commands();
  ASSERT_EQ(commands.size(), 5u);
  EXPECT_EQ(commands[0], "ban 192.0.2.5 100 1");
  EXPECT_EQ(commands[2], "ban 192.0.2.5 200 1");
  EXPECT_EQ(commands[4], "ban 192.0.2.5 400 1");
}

TEST_F(JailTest, BansComeBackFromTheDatabase) {
  StartJail(Spec({{"maxretry", "1"}, {"bantime", "1h"}}));
  Fail("192.0.2.8", kNow);
  Fail("2001:db8::8", kNow);
  jail_->Stop();  // unbans through the action, keeps the bans in the database
  jail_.reset();
  clock_.Advance(60);
  StartJail(Spec({{"maxretry", "1"}, {"bantime", "1h"}}));
  auto status = jail_->Status(control::StatusFlavor::kBasic);
  EXPECT_EQ(status.actions.currently_banned, 2);
  auto commands = Commands();
  EXPECT_EQ(std::count(commands.begin(), commands.end(), "ban 192.0.2.8 3600 1"), 2);
  server_log_->Flush();
  std::ifstream in(dir_ + "/server.log");
  std::string log((std::istreambuf_iterator<char>(in)), {});
  EXPECT_NE(log.find("NOTICE  [test] Restore Ban 2001:db8::8"), std::string::npos) << log;
}

TEST_F(JailTest, RestartDoesNotReadOldLinesAgain) {
  StartJail(Spec({{"maxretry", "2"}}));
  Fail("192.0.2.9", kNow);
  jail_->Stop();
  jail_.reset();
  StartJail(Spec({{"maxretry", "2"}}));
  EXPECT_EQ(jail_->Status(control::StatusFlavor::kBasic).filter.total_failed, 0);
  Fail("192.0.2.9", kNow);
  EXPECT_TRUE(Commands().empty());
}

TEST_F(JailTest, IpMatchesTagsComeFromTheBanHistory) {
  StartJail(Spec({{"maxretry", "1"}, {"bantime", "100"}}, "history"));
  Fail("192.0.2.5", kNow);
  clock_.Advance(101);
  jail_->RunOnce();  // unbanned
  Fail("192.0.2.5", kNow + 101);
  auto commands = Commands();
  ASSERT_EQ(commands.size(), 2u);
  // the values hold newlines, so they are passed as variables, never as script text
  EXPECT_EQ(commands[1], "ban 192.0.2.5 2 $f2bV_ipjailmatches [" + std::to_string(static_cast<long long>(kNow)) +
                             " fail from 192.0.2.5\n" + std::to_string(static_cast<long long>(kNow + 101)) +
                             " fail from 192.0.2.5]");
}

TEST_F(JailTest, BanAndUnbanByCommand) {
  StartJail(Spec({{"maxretry", "5"}}));
  EXPECT_EQ(jail_->BanIps({"198.51.100.4", "198.51.100.4"}), 1);
  std::vector<std::string> absent;
  EXPECT_EQ(jail_->UnbanIps({"198.51.100.4", "198.51.100.5"}, &absent), 1);
  EXPECT_EQ(absent, std::vector<std::string>{"198.51.100.5"});
  EXPECT_EQ(Commands(), (std::vector<std::string>{"ban 198.51.100.4 600 1", "unban 198.51.100.4"}));
  writer_->Sync();
  auto rows = store_->CurrentBans({});
  ASSERT_TRUE(rows);
  EXPECT_TRUE(rows->empty());
}

TEST_F(JailTest, BrokenRegexNamesItsFileAndLine) {
  auto spec = Spec({});
  spec.filter->failregex = {{"fail from (<HOST>", "filter.d/x.conf", 7}};
  JailContext context;
  context.clock = &clock_;
  context.log = server_log_.get();
  context.runner = &runner_;
  auto jail = Jail::Create(spec, context);
  ASSERT_FALSE(jail);
  EXPECT_NE(jail.error().ToString().find("filter.d/x.conf:7"), std::string::npos) << jail.error().ToString();
}

TEST(ServerLogTest, WritesFail2bansLineFormat) {
  std::string path = (fs::temp_directory_path() / "portcullis-serverlog-test.log").string();
  fs::remove(path);
  FakeClock clock(kNow + 0.25);
  {
    ServerLog log(clock);
    ASSERT_TRUE(log.SetTarget(path));
    log.Write(LogLevel::kNotice, "fail2ban.actions", "[sshd] Ban 192.0.2.1");
    log.Write(LogLevel::kDebug, "fail2ban.actions", "not shown at INFO");
  }
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  EXPECT_TRUE(line.ends_with(",250 fail2ban.actions        [" + std::to_string(::getpid()) +
                             "]: NOTICE  [sshd] Ban 192.0.2.1"))
      << line;
  EXPECT_FALSE(std::getline(in, line));
  fs::remove(path);
}

TEST(ServerLogTest, ParsesLevels) {
  EXPECT_EQ(*ParseLogLevel("notice"), LogLevel::kNotice);
  EXPECT_EQ(*ParseLogLevel("DEBUG"), LogLevel::kDebug);
  EXPECT_EQ(*ParseLogLevel("3"), LogLevel::kInfo);
  EXPECT_FALSE(ParseLogLevel("loud"));
}

}  // namespace
}  // namespace portcullis::server
