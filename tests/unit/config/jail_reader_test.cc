#include "portcullis/config/jail_reader.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "temp_config.h"

namespace portcullis::config {
namespace {

using testing::TempConfig;
namespace fs = std::filesystem;

const std::string kStock = PORTCULLIS_CORPUS_DIR "/config";

// The stock tree copied into a temporary folder, plus a jail.local of the test's.
class JailReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::copy(kStock, tmp_.dir(), fs::copy_options::recursive);
    auth_log_ = tmp_.Write("log/auth.log", "");
    mail_log_ = tmp_.Write("log/mail.log", "");
  }

  Result<JailsConfig> Read(const std::string& jail_local) {
    local_ = tmp_.Write("jail.local", jail_local);
    return ReadJails(JailsRequest{tmp_.dir(), std::nullopt, false});
  }

  TempConfig tmp_;
  std::string auth_log_, mail_log_, local_;
};

TEST_F(JailReaderTest, ReadsEnabledStockJailsWithFilterLogsAndActions) {
  auto config = Read("[sshd]\nenabled = true\nlogpath = " + auth_log_ + "\n"
                     "[postfix]\nenabled = true\nmode = aggressive\nlogpath = " + mail_log_ + "\n");
  ASSERT_TRUE(config) << config.error().ToString();
  EXPECT_TRUE(config->errors.empty()) << config->errors[0].ToString();
  ASSERT_EQ(config->jails.size(), 2u);
  const JailSpec& sshd = config->jails[0];
  EXPECT_EQ(sshd.name, "sshd");
  ASSERT_TRUE(sshd.filter);
  EXPECT_EQ(sshd.filter->failregex.size(), 22u) << "sshd in mode normal";
  ASSERT_EQ(sshd.logpaths.size(), 1u);
  EXPECT_EQ(sshd.logpaths[0].path, auth_log_);
  EXPECT_EQ(*sshd.options.Find("bantime"), "10m");
  EXPECT_EQ(*sshd.options.Find("maxretry"), "5");
  ASSERT_EQ(sshd.actions.size(), 1u);
  EXPECT_EQ(sshd.actions[0].name, "iptables-multiport");
  EXPECT_EQ(*sshd.actions[0].init.Find("port"), "ssh");
  const JailSpec& postfix = config->jails[1];
  ASSERT_TRUE(postfix.filter);
  EXPECT_EQ(*postfix.filter->options.Find("mode"), "aggressive");
}

TEST_F(JailReaderTest, LetsTheJailExtendTheFiltersFailregexThroughKnown) {
  auto config = Read("[sshd]\nenabled = true\nlogpath = " + auth_log_ + "\n"
                     "failregex = %(known/failregex)s\n            ^local <HOST>$\n"
                     "ignoreip = 127.0.0.1/8 ::1, 192.0.2.0/24\n");
  ASSERT_TRUE(config) << config.error().ToString();
  ASSERT_EQ(config->jails.size(), 1u);
  const JailSpec& sshd = config->jails[0];
  ASSERT_EQ(sshd.filter->failregex.size(), 23u);
  EXPECT_EQ(sshd.filter->failregex.back().text, "^local <HOST>$");
  EXPECT_EQ(sshd.ignoreip, (std::vector<std::string>{"127.0.0.1/8", "::1", "192.0.2.0/24"}));
}

TEST_F(JailReaderTest, LeavesOutABrokenJailNamingFileAndLineAndLoadsTheOthers) {
  struct Case { std::string jail; std::string message; int line; };
  const Case cases[] = {
      {"[bad]\nenabled = true\nfilter = nosuchfilter\nlogpath = " + auth_log_ + "\n",
       "Unable to read the filter 'nosuchfilter': Found no accessible config files for 'filter.d/nosuchfilter' under ", 3},
      {"[bad]\nenabled = true\nfilter = sshd\nlogpath = /nonexistent/*.log\n",
       "Have not found any log file for bad jail", 4},
      {"[bad]\nenabled = true\nfilter = sshd\nlogpath = " + auth_log_ + "\naction = nosuchaction\n",
       "Unable to read action 'nosuchaction': ", 5},
      {"[bad]\nenabled = true\nfilter = sshd[mode=aggressive, b = c]\nlogpath = " + auth_log_ + "\n",
       "Invalid filter definition 'sshd[mode=aggressive, b = c]': expected option, wrong syntax at ", 3},
  };
  for (const Case& c : cases) {
    auto config = Read(c.jail + "[sshd]\nenabled = true\nlogpath = " + auth_log_ + "\n");
    ASSERT_TRUE(config) << config.error().ToString();
    ASSERT_EQ(config->jails.size(), 1u) << c.jail;
    EXPECT_EQ(config->jails[0].name, "sshd");
    ASSERT_EQ(config->errors.size(), 1u) << c.jail;
    const Error& e = config->errors[0];
    EXPECT_EQ(e.file, local_);
    EXPECT_EQ(e.line, c.line) << e.ToString();
    EXPECT_EQ(e.message.rfind(c.message, 0), 0u) << e.ToString();
  }
}

TEST_F(JailReaderTest, ReadsOnlyTheJailAskedFor) {
  Read("[sshd]\nenabled = true\nlogpath = " + auth_log_ + "\n");
  auto one = ReadJails(JailsRequest{tmp_.dir(), std::string("postfix"), true});
  ASSERT_TRUE(one) << one.error().ToString();
  ASSERT_EQ(one->jails.size(), 1u);
  EXPECT_EQ(one->jails[0].name, "postfix");
  auto none = ReadJails(JailsRequest{tmp_.dir(), std::string("nojail"), true});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().ToString(), "Jail 'nojail' was not found among available");
}

}  // namespace
}  // namespace portcullis::config
