#include "portcullis/platform/inotify.h"

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace portcullis::platform {
namespace {

using namespace std::chrono_literals;

class InotifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "portcullis-platform-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    auto made = Inotify::Create();
    ASSERT_TRUE(made) << made.error().ToString();
    inotify_.emplace(std::move(*made));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  struct Seen {
    int wd;
    uint32_t mask;
    std::string name;
  };
  // Waits (5 s at most) until an event with `bit` arrives; returns all seen.
  std::vector<Seen> WaitForBit(uint32_t bit) {
    std::vector<Seen> seen;
    auto deadline = std::chrono::steady_clock::now() + 5s;
    auto has = [&] { return std::any_of(seen.begin(), seen.end(), [&](const Seen& s) { return s.mask & bit; }); };
    while (!has() && std::chrono::steady_clock::now() < deadline) {
      auto outcome = inotify_->Wait(100ms, [&](const InotifyEvent& e) { seen.push_back({e.wd, e.mask, std::string(e.name)}); });
      EXPECT_TRUE(outcome);
    }
    return seen;
  }

  std::string dir_;
  std::optional<Inotify> inotify_;
};

TEST_F(InotifyTest, ReportsCreationInAFolderWithTheEntryName) {
  auto wd = inotify_->AddWatch(dir_, kInCreate | kInOnlyDir);
  ASSERT_TRUE(wd);
  ::close(::open((dir_ + "/new.log").c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
  auto seen = WaitForBit(kInCreate);
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen[0].wd, *wd);
  EXPECT_EQ(seen[0].name, "new.log");
}

TEST_F(InotifyTest, ReportsWritesToAWatchedFile) {
  std::string path = dir_ + "/a.log";
  int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
  auto wd = inotify_->AddWatch(path, kInModify);
  ASSERT_TRUE(wd);
  ASSERT_EQ(::write(fd, "x\n", 2), 2);
  ::close(fd);
  auto seen = WaitForBit(kInModify);
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen[0].wd, *wd);
  EXPECT_EQ(seen[0].name, "");
}

TEST_F(InotifyTest, WaitTimesOutWithoutEvents) {
  auto outcome = inotify_->Wait(1ms, [](const InotifyEvent&) { FAIL(); });
  ASSERT_TRUE(outcome);
  EXPECT_EQ(*outcome, WaitOutcome::kTimeout);
}

TEST_F(InotifyTest, InterruptEndsTheNextWait) {
  inotify_->Interrupt();
  auto outcome = inotify_->Wait(10s, [](const InotifyEvent&) {});
  ASSERT_TRUE(outcome);
  EXPECT_EQ(*outcome, WaitOutcome::kInterrupted);
}

TEST_F(InotifyTest, WatchingAMissingPathIsAnErrorNamingIt) {
  auto wd = inotify_->AddWatch(dir_ + "/none", kInModify);
  ASSERT_FALSE(wd);
  EXPECT_EQ(wd.error().ToString(), "cannot watch: No such file or directory: " + dir_ + "/none");
}

}  // namespace
}  // namespace portcullis::platform
