#include <gtest/gtest.h>

#include "portcullis/store/ban_store.h"
#include "store_fixture.h"

namespace portcullis::store {
namespace {

using testing::Rows;
using testing::StoreTest;

constexpr std::string_view kHash = "6bfa09d82ce3e898ad4641ae13dd4fdb9cf0d76b";  // sha1("line\n")
constexpr std::string_view kOtherHash = "0000000000000000000000000000000000000000";

TEST_F(StoreTest, LogPositionRoundTripsThroughTheFile) {
  std::string path = Path("db");
  {
    BanStore store = OpenStore(path);
    ASSERT_TRUE(store.AddJail("sshd"));
    EXPECT_EQ(*store.AddLog("sshd", "/var/log/auth.log", kHash), std::nullopt);  // new log
    ASSERT_TRUE(store.UpdateLog("sshd", "/var/log/auth.log", kHash, 46771));
  }
  EXPECT_EQ(Rows(path, "SELECT jail, path, firstlinemd5, lastfilepos FROM logs"),
            std::vector<std::string>{"sshd|/var/log/auth.log|" + std::string(kHash) + "|46771"});
  BanStore store = OpenStore(path);
  ASSERT_TRUE(store.AddJail("sshd"));
  EXPECT_EQ(*store.AddLog("sshd", "/var/log/auth.log", kHash), 46771);
  auto stored = store.GetLog("sshd", "/var/log/auth.log");
  ASSERT_TRUE(stored && *stored);
  EXPECT_EQ((*stored)->first_line_hash, kHash);
  EXPECT_EQ((*stored)->position, 46771);
}

TEST_F(StoreTest, AddLogForgetsThePositionWhenTheFirstLineChanged) {
  BanStore store = OpenStore(Path("db"));
  ASSERT_TRUE(store.AddJail("sshd"));
  ASSERT_TRUE(store.UpdateLog("sshd", "/var/log/auth.log", kHash, 100));
  EXPECT_EQ(*store.AddLog("sshd", "/var/log/auth.log", kOtherHash), std::nullopt);  // rotated
  EXPECT_EQ(*store.AddLog("sshd", "/var/log/auth.log", std::nullopt), 100);          // no hash to compare
  // A stored hash is not replaced by addLog (only by updateLog).
  EXPECT_EQ((*store.GetLog("sshd", "/var/log/auth.log"))->first_line_hash, kHash);
}

TEST_F(StoreTest, AddLogRecordsOnlyWhenThereIsAPositionOrHash) {
  BanStore store = OpenStore(Path("db"));
  ASSERT_TRUE(store.AddJail("sshd"));
  EXPECT_EQ(*store.AddLog("sshd", "/var/log/a.log", std::nullopt, 0), std::nullopt);
  EXPECT_EQ(*store.GetLog("sshd", "/var/log/a.log"), std::nullopt);
  EXPECT_EQ(*store.AddLog("sshd", "/var/log/b.log", std::nullopt, 10), std::nullopt);
  EXPECT_EQ((*store.GetLog("sshd", "/var/log/b.log"))->position, 10);
  EXPECT_EQ((*store.GetLog("sshd", "/var/log/b.log"))->first_line_hash, std::nullopt);
  EXPECT_EQ(*store.LogPaths(), (std::vector<std::string>{"/var/log/b.log"}));
}

TEST_F(StoreTest, LogOfAJailNeverAddedIsAnError) {
  std::string path = Path("db");
  BanStore store = OpenStore(path);
  auto added = store.UpdateLog("nojail", "/var/log/auth.log", kHash, 1);
  ASSERT_FALSE(added);
  EXPECT_EQ(added.error().ToString(), path + ": cannot update the position of /var/log/auth.log: FOREIGN KEY "
                                             "constraint failed");
}

TEST_F(StoreTest, JailsAreAddedDisabledAndEnabledAgain) {
  BanStore store = OpenStore(Path("db"));
  ASSERT_TRUE(store.AddJail("sshd"));
  ASSERT_TRUE(store.AddJail("apache"));
  ASSERT_TRUE(store.AddJail("sshd"));  // twice is fine
  EXPECT_EQ(*store.JailNames(), (std::vector<std::string>{"apache", "sshd"}));
  ASSERT_TRUE(store.DisableJail("sshd"));
  EXPECT_EQ(*store.JailNames(true), (std::vector<std::string>{"apache"}));
  EXPECT_EQ(*store.JailNames(false), (std::vector<std::string>{"sshd"}));
  ASSERT_TRUE(store.AddJail("sshd"));
  EXPECT_EQ(*store.JailNames(true), (std::vector<std::string>{"apache", "sshd"}));
  ASSERT_TRUE(store.DisableAllJails());
  EXPECT_EQ(*store.JailNames(true), std::vector<std::string>{});
}

}  // namespace
}  // namespace portcullis::store
