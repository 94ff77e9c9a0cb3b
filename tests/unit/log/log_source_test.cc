// The inotify and polling sources on real files. Waits are bounded by a deadline and
// end as soon as the expected event is there; nothing sleeps a fixed time.

#include "portcullis/log/log_source.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <thread>

#include "portcullis/log/fake_log_source.h"
#include "temp_dir.h"

namespace portcullis::log {
namespace {

using namespace std::chrono_literals;
using Kind = LogEvent::Kind;
using Events = std::vector<LogEvent>;

LogEvent Changed(const std::string& path) { return {Kind::kChanged, path, {}}; }

class LogSourceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    LogSourceOptions options{.poll_min = 5ms, .poll_max = 20ms, .retry_min = 10ms, .retry_max = 40ms};
    if (GetParam() == "polling") {
      source_ = MakePollingSource(options);
    } else {
      auto made = MakeInotifySource(options);
      ASSERT_TRUE(made) << made.error().ToString();
      source_ = std::move(*made);
    }
  }
  bool Has(const Events& events, const LogEvent& wanted) {
    return std::find(events.begin(), events.end(), wanted) != events.end();
  }
  bool Has(const Events& events, Kind kind, const std::string& path) {
    return std::any_of(events.begin(), events.end(), [&](const LogEvent& e) { return e.kind == kind && e.path == path; });
  }
  // Collects events until `done` holds for them, for 5 s at most.
  Events WaitUntil(const std::function<bool(const Events&)>& done) {
    Events events;
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!done(events) && std::chrono::steady_clock::now() < deadline) {
      auto waited = source_->Wait(100ms, events);
      EXPECT_TRUE(waited) << waited.error().ToString();
    }
    return events;
  }
  Events WaitFor(const LogEvent& wanted) {
    return WaitUntil([&](const Events& events) { return Has(events, wanted); });
  }
  // Takes what is queued now (after a change has been seen): no stale events later.
  void Settle() {
    Events ignored;
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(source_->Wait(30ms, ignored));
  }

  testing::TempDir dir_;
  std::unique_ptr<LogSource> source_;
};

TEST_P(LogSourceTest, ReportsEveryPathOnceAfterAdd) {
  std::string here = dir_.Write("here.log", "x\n");
  std::string missing = dir_.Path("missing.log");
  ASSERT_TRUE(source_->Add(here));
  ASSERT_TRUE(source_->Add(missing));
  Events events = WaitUntil([&](const Events& e) { return Has(e, Changed(here)) && Has(e, Kind::kAbsent, missing); });
  EXPECT_TRUE(Has(events, Changed(here)));
  EXPECT_TRUE(Has(events, Kind::kAbsent, missing));
  EXPECT_FALSE(Has(events, Changed(missing)));
}

TEST_P(LogSourceTest, WakesOnAppend) {
  std::string path = dir_.Write("a.log", "x\n");
  ASSERT_TRUE(source_->Add(path));
  WaitFor(Changed(path));
  Settle();
  dir_.Append("a.log", "y\n");
  EXPECT_TRUE(Has(WaitFor(Changed(path)), Changed(path)));
}

TEST_P(LogSourceTest, SeesRenameRotationAndThenTheNewFile) {
  std::string path = dir_.Write("a.log", "x\n");
  ASSERT_TRUE(source_->Add(path));
  WaitFor(Changed(path));
  Settle();
  dir_.Rename("a.log", "a.log.1");
  dir_.Write("a.log", "");
  EXPECT_TRUE(Has(WaitFor(Changed(path)), Changed(path)));
  Settle();
  dir_.Append("a.log", "new\n");
  EXPECT_TRUE(Has(WaitFor(Changed(path)), Changed(path)));
}

TEST_P(LogSourceTest, SeesDeleteAsAbsenceAndRecreateAsPresence) {
  std::string path = dir_.Write("a.log", "x\n");
  ASSERT_TRUE(source_->Add(path));
  WaitFor(Changed(path));
  Settle();
  dir_.Remove("a.log");
  EXPECT_TRUE(Has(WaitUntil([&](const Events& e) { return Has(e, Kind::kAbsent, path); }), Kind::kAbsent, path));
  dir_.Write("a.log", "again\n");
  Events events = WaitUntil([&](const Events& e) { return Has(e, Kind::kPresent, path) && Has(e, Changed(path)); });
  EXPECT_TRUE(Has(events, Kind::kPresent, path));
  EXPECT_TRUE(Has(events, Changed(path)));
}

TEST_P(LogSourceTest, FindsAFileWhoseFolderAppearsLater) {
  std::string path = dir_.Path("later/a.log");
  ASSERT_TRUE(source_->Add(path));
  WaitUntil([&](const Events& e) { return Has(e, Kind::kAbsent, path); });
  std::filesystem::create_directory(dir_.Path("later"));
  dir_.Write("later/a.log", "x\n");
  EXPECT_TRUE(Has(WaitFor(Changed(path)), Changed(path)));
}

TEST_P(LogSourceTest, RemovedPathsAreNotReported) {
  std::string path = dir_.Write("a.log", "x\n");
  std::string other = dir_.Write("b.log", "x\n");
  ASSERT_TRUE(source_->Add(path));
  ASSERT_TRUE(source_->Add(other));
  source_->Remove(path);
  dir_.Append("a.log", "y\n");
  dir_.Append("b.log", "y\n");
  Events events = WaitFor(Changed(other));
  Settle();
  EXPECT_FALSE(Has(events, Changed(path)));
}

TEST_P(LogSourceTest, InterruptWakesAWaitInAnotherThread) {
  ASSERT_TRUE(source_->Add(dir_.Write("a.log", "x\n")));
  Settle();
  auto start = std::chrono::steady_clock::now();
  std::thread waiter([&] {
    Events events;
    EXPECT_TRUE(source_->Wait(30s, events));
  });
  source_->Interrupt();  // before or during the Wait: either way it returns
  waiter.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
}

INSTANTIATE_TEST_SUITE_P(Backends, LogSourceTest, ::testing::Values("inotify", "polling"),
                         [](const auto& info) { return info.param; });

TEST(InotifySourceTest, WritesToTheRenamedOldFileStillWakeTheReader) {
  testing::TempDir dir;
  auto source = MakeInotifySource();
  ASSERT_TRUE(source);
  std::string path = dir.Write("a.log", "x\n");
  ASSERT_TRUE((*source)->Add(path));
  Events events;
  ASSERT_TRUE((*source)->Wait(1s, events));
  dir.Rename("a.log", "a.log.1");
  dir.Write("a.log", "");
  events.clear();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE((*source)->Wait(30ms, events));
  events.clear();
  dir.Append("a.log.1", "late\n");
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (events.empty() && std::chrono::steady_clock::now() < deadline) ASSERT_TRUE((*source)->Wait(100ms, events));
  EXPECT_EQ(events, Events{Changed(path)});
}

TEST(FakeLogSourceTest, HandsOutAddsAndPushedEventsWithoutWaiting) {
  FakeLogSource source;
  ASSERT_TRUE(source.Add("/var/log/auth.log"));
  source.Push({Kind::kAbsent, "/var/log/auth.log", "IN_MOVED_FROM"});
  Events events;
  ASSERT_TRUE(source.Wait(1h, events));
  EXPECT_EQ(events, (Events{Changed("/var/log/auth.log"), {Kind::kAbsent, "/var/log/auth.log", "IN_MOVED_FROM"}}));
  EXPECT_EQ(source.timeouts(), std::vector<std::chrono::milliseconds>{1h});
}

}  // namespace
}  // namespace portcullis::log
