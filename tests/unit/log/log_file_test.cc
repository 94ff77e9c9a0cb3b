#include "portcullis/log/log_file.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "temp_dir.h"

namespace portcullis::log {
namespace {

using testing::TempDir;
using Lines = std::vector<std::string>;

class LogFileTest : public ::testing::Test {
 protected:
  LogFile Open(std::string_view name, LogFileOptions options = {}) {
    auto file = LogFile::Open(dir_.Path(name), options, clock_);
    EXPECT_TRUE(file.has_value()) << (file ? "" : file.error().ToString());
    return std::move(*file);
  }
  // Every line one ReadLines call hands out; the call's result in last_.
  Lines Read(LogFile& file) {
    Lines lines;
    auto result = file.ReadLines([&](std::string_view line) {
      lines.emplace_back(line);
      return true;
    });
    EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().ToString());
    if (result) last_ = *result;
    return lines;
  }

  TempDir dir_;
  FakeClock clock_{1124013600};
  ReadResult last_;
};

TEST_F(LogFileTest, ReadsCompleteLinesAndLeavesTheIncompleteLastLineForLater) {
  dir_.Write("a.log", "one\ntwo\nthr");
  LogFile file = Open("a.log");
  EXPECT_EQ(Read(file), (Lines{"one", "two"}));
  EXPECT_TRUE(last_.at_end);
  EXPECT_EQ(file.position().offset, 8u);
  EXPECT_EQ(Read(file), Lines{});
  dir_.Append("a.log", "ee\nfour");
  EXPECT_EQ(Read(file), Lines{"three"});
  EXPECT_EQ(file.position().offset, 14u);
}

TEST_F(LogFileTest, StripsCarriageReturnsAndNewlinesAtTheEndOnly) {
  dir_.Write("a.log", "dos\r\nmac\r\r\n\r\nin\rside\n");
  LogFile file = Open("a.log");
  EXPECT_EQ(Read(file), (Lines{"dos", "mac", "", "in\rside"}));
}

TEST_F(LogFileTest, FirstLineHashIsTheSha1OfTheFirstLineWithItsNewline) {
  dir_.Write("a.log", "line\nmore\n");
  EXPECT_EQ(Open("a.log").position().first_line_hash, "6bfa09d82ce3e898ad4641ae13dd4fdb9cf0d76b");
}

TEST_F(LogFileTest, HasNoHashUntilTheFirstLineIsComplete) {
  dir_.Write("a.log", "li");
  LogFile file = Open("a.log");
  EXPECT_EQ(file.position().first_line_hash, "");
  EXPECT_EQ(Read(file), Lines{});
  dir_.Append("a.log", "ne\n");
  EXPECT_EQ(Read(file), Lines{"line"});
  EXPECT_FALSE(last_.rotated);
  EXPECT_EQ(file.position(), (LogPosition{"6bfa09d82ce3e898ad4641ae13dd4fdb9cf0d76b", 5}));
}

TEST_F(LogFileTest, EmptyFileHasNoHashAndNothingToRead) {
  dir_.Write("a.log", "");
  LogFile file = Open("a.log");
  EXPECT_EQ(file.position(), LogPosition{});
  EXPECT_EQ(Read(file), Lines{});
}

TEST_F(LogFileTest, TailStartsAfterTheLastCompleteLineAndIsInOperation) {
  dir_.Write("a.log", "old 1\nold 2\nbeing writ");
  LogFile file = Open("a.log", {.tail = true});
  EXPECT_TRUE(file.in_operation());
  EXPECT_EQ(file.position().offset, 12u);
  dir_.Append("a.log", "ten\nnew\n");
  EXPECT_EQ(Read(file), (Lines{"being written", "new"}));
}

TEST_F(LogFileTest, HeadIsInOperationOnlyOnceTheEndWasReached) {
  dir_.Write("a.log", "1\n2\n3\n");
  LogFile file = Open("a.log");
  EXPECT_FALSE(file.in_operation());
  int seen = 0;
  auto result = file.ReadLines([&](std::string_view) { return ++seen < 2; });
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->stopped);
  EXPECT_FALSE(file.in_operation());
  EXPECT_EQ(file.position().offset, 4u);  // just after the line that said stop
  EXPECT_EQ(Read(file), Lines{"3"});
  EXPECT_TRUE(file.in_operation());
}

TEST_F(LogFileTest, RestoresASavedPositionWhenTheFirstLineHashMatches) {
  dir_.Write("a.log", "first line\nsecond\nthird\n");
  LogFile file = Open("a.log", {.saved = LogPosition{"e32c72173d6151f438f6ff3a85c56a46ed99ca81", 18}});
  EXPECT_EQ(Read(file), Lines{"third"});
}

TEST_F(LogFileTest, IgnoresASavedPositionWhenTheFirstLineHashDiffers) {
  dir_.Write("a.log", "new first\nsecond\n");
  LogFile file = Open("a.log", {.saved = LogPosition{"e32c72173d6151f438f6ff3a85c56a46ed99ca81", 10}});
  EXPECT_EQ(file.position(), (LogPosition{"bcb9d8487ccf80a10f1db7366ed47aab28a42ca3", 0}));
  EXPECT_EQ(Read(file), (Lines{"new first", "second"}));
}

TEST_F(LogFileTest, TailWinsOverASavedPosition) {
  dir_.Write("a.log", "first line\nsecond\n");
  LogFile file = Open("a.log", {.tail = true, .saved = LogPosition{"e32c72173d6151f438f6ff3a85c56a46ed99ca81", 0}});
  EXPECT_EQ(Read(file), Lines{});
}

TEST_F(LogFileTest, ASavedPositionPastTheEndIsARotation) {
  dir_.Write("a.log", "first line\n");
  LogFile file = Open("a.log", {.saved = LogPosition{"e32c72173d6151f438f6ff3a85c56a46ed99ca81", 500}});
  EXPECT_EQ(Read(file), Lines{"first line"});
  EXPECT_TRUE(last_.rotated);
}

TEST_F(LogFileTest, CutsALineLongerThanTheLimitAndSkipsItsRest) {
  std::string huge(20000, 'x');
  dir_.Write("a.log", "short\n" + huge + "\nafter\n");
  LogFile file = Open("a.log", {.block_size = 4096, .max_line_bytes = 8192});
  Lines lines = Read(file);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "short");
  EXPECT_EQ(lines[1], std::string(8192, 'x'));
  EXPECT_EQ(lines[2], "after");
  EXPECT_EQ(file.position().offset, 6u + 20001u + 6u);
}

TEST_F(LogFileTest, ReadsLinesLongerThanOneBlock) {
  std::string line(10000, 'y');
  dir_.Write("a.log", line + "\n" + line + "\n");
  LogFile file = Open("a.log", {.block_size = 4096});
  EXPECT_EQ(Read(file), (Lines{line, line}));
}

TEST_F(LogFileTest, OpeningAMissingFileIsAnError) {
  auto file = LogFile::Open(dir_.Path("none.log"), {}, clock_);
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error().ToString(), dir_.Path("none.log") + ": cannot open log: No such file or directory");
}

TEST_F(LogFileTest, OpeningAFolderIsAnError) {
  auto file = LogFile::Open(dir_.dir(), {}, clock_);
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error().ToString(), dir_.dir() + ": cannot open log: Is a directory");
}

}  // namespace
}  // namespace portcullis::log
