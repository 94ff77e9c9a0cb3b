#include "portcullis/log/log_paths.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "portcullis/log/log_source.h"
#include "temp_dir.h"

namespace portcullis::log {
namespace {

TEST(LogPathsTest, ParseLogPathReadsHeadAndTail) {
  struct Case {
    std::string_view line;
    std::string pattern;
    bool tail;
  } cases[] = {
      {"/var/log/auth.log", "/var/log/auth.log", false},
      {"/var/log/auth.log tail", "/var/log/auth.log", true},
      {"/var/log/auth.log HEAD", "/var/log/auth.log", false},
      {"/var/log/*.log Tail", "/var/log/*.log", true},
  };
  for (const Case& c : cases) {
    auto spec = ParseLogPath(c.line);
    ASSERT_TRUE(spec) << c.line;
    EXPECT_EQ(spec->pattern, c.pattern) << c.line;
    EXPECT_EQ(spec->tail, c.tail) << c.line;
  }
}

TEST(LogPathsTest, ParseLogPathRefusesOtherWordsAfterASpace) {
  auto spec = ParseLogPath("/var/log/my file.log");
  ASSERT_FALSE(spec);
  EXPECT_EQ(spec.error().ToString(), "File option must be 'head' or 'tail': file.log");
}

TEST(LogPathsTest, ExpandLogPathGlobsSortsAndLeavesOutDanglingLinks) {
  testing::TempDir dir;
  dir.Write("b-access.log", "");
  dir.Write("a-access.log", "");
  dir.Write(".hidden-access.log", "");
  dir.Write("error.log", "");
  std::filesystem::create_symlink(dir.Path("gone"), dir.Path("c-access.log"));
  GlobResult found = ExpandLogPath(dir.Path("*access.log"));
  EXPECT_EQ(found.paths, (std::vector<std::string>{dir.Path("a-access.log"), dir.Path("b-access.log")}));
  EXPECT_EQ(found.dangling, std::vector<std::string>{dir.Path("c-access.log")});
  EXPECT_EQ(ExpandLogPath(dir.Path("error.log")).paths, std::vector<std::string>{dir.Path("error.log")});
  EXPECT_TRUE(ExpandLogPath(dir.Path("missing.log")).paths.empty());
  EXPECT_EQ(ExpandLogPath(dir.Path("[ab]-access.log")).paths.size(), 2u);
}

TEST(BackendTest, ParseBackendKnowsFail2bansNames) {
  struct Case {
    std::string_view text;
    Backend backend;
  } cases[] = {
      {"auto", Backend::kAuto},         {"Auto", Backend::kAuto},
      {"polling", Backend::kPolling},   {"pyinotify", Backend::kInotify},
      {"inotify", Backend::kInotify},   {"gamin", Backend::kInotify},
      {"systemd", Backend::kSystemd},   {"systemd[journalflags=1]", Backend::kSystemd},
      {"polling[]", Backend::kPolling},
  };
  for (const Case& c : cases) {
    auto backend = ParseBackend(c.text);
    ASSERT_TRUE(backend) << c.text;
    EXPECT_EQ(*backend, c.backend) << c.text;
  }
}

TEST(BackendTest, ParseBackendRefusesUnknownNamesAsFail2banDoes) {
  auto backend = ParseBackend("Kqueue");
  ASSERT_FALSE(backend);
  EXPECT_EQ(backend.error().ToString(),
            "Unknown backend kqueue. Must be among ['pyinotify', 'gamin', 'polling', 'systemd'] or 'auto'");
}

TEST(BackendTest, SystemdIsNotSupportedYet) {
  auto source = MakeLogSource(Backend::kSystemd);
  ASSERT_FALSE(source);
  EXPECT_EQ(source.error().ToString(),
            "backend 'systemd' is not supported yet: give the jail a logpath and backend = auto");
}

TEST(BackendTest, AutoAndPollingMakeTheirSources) {
  auto automatic = MakeLogSource(Backend::kAuto);
  ASSERT_TRUE(automatic);
  EXPECT_EQ((*automatic)->name(), "pyinotify");
  auto polling = MakeLogSource(Backend::kPolling);
  ASSERT_TRUE(polling);
  EXPECT_EQ((*polling)->name(), "polling");
}

}  // namespace
}  // namespace portcullis::log
