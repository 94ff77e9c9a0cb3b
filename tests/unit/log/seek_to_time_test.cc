#include <gtest/gtest.h>

#include <charconv>
#include <string>
#include <vector>

#include "portcullis/log/log_file.h"
#include "temp_dir.h"

namespace portcullis::log {
namespace {

// "t=<seconds> ..." is dated, anything else is not.
std::optional<double> TimeOf(std::string_view line) {
  if (!line.starts_with("t=")) return std::nullopt;
  double t = 0;
  std::from_chars(line.data() + 2, line.data() + line.size(), t);
  return t;
}

class SeekToTimeTest : public ::testing::Test {
 protected:
  // Lines dated 0..count-1; with `undated_every`, an undated line after each n-th.
  void WriteLog(int count, int undated_every = 0) {
    std::string text;
    for (int i = 0; i < count; ++i) {
      text += "t=" + std::to_string(i) + " sshd[1]: Failed password for root from 192.0.2.1\n";
      if (undated_every && i % undated_every == 0) text += "  continuation without a date\n";
    }
    dir_.Write("a.log", text);
  }
  // The lines read after seeking to `start`.
  std::vector<std::string> SeekAndRead(double start) {
    auto file = LogFile::Open(dir_.Path("a.log"), {.block_size = 4096}, clock_);
    EXPECT_TRUE(file);
    EXPECT_TRUE(file->SeekToTime(start, TimeOf));
    std::vector<std::string> lines;
    EXPECT_TRUE(file->ReadLines([&](std::string_view line) {
      lines.emplace_back(line);
      return true;
    }));
    return lines;
  }

  testing::TempDir dir_;
  FakeClock clock_{1124013600};
};

TEST_F(SeekToTimeTest, LandsOnTheFirstLineAtOrAfterTheStartTime) {
  WriteLog(20000);
  for (double start : {1.0, 4321.0, 10000.0, 19999.0}) {
    auto lines = SeekAndRead(start);
    ASSERT_FALSE(lines.empty()) << start;
    EXPECT_EQ(TimeOf(lines.front()), start) << start;
    EXPECT_EQ(lines.size(), static_cast<size_t>(20000 - start)) << start;
  }
}

TEST_F(SeekToTimeTest, StaysAtTheStartWhenEverythingIsNewer) {
  WriteLog(20000);
  EXPECT_EQ(SeekAndRead(-5).size(), 20000u);
}

TEST_F(SeekToTimeTest, GoesToTheEndWhenEverythingIsOlder) {
  WriteLog(20000);
  EXPECT_TRUE(SeekAndRead(1e9).empty());
}

TEST_F(SeekToTimeTest, UndatedLinesMayMakeItStopEarlyButNeverLate) {
  WriteLog(20000, 3);
  auto lines = SeekAndRead(12345);
  size_t first_new = 0;
  while (first_new < lines.size() && !(TimeOf(lines[first_new]) >= 12345.0)) ++first_new;
  ASSERT_LT(first_new, lines.size());
  EXPECT_EQ(TimeOf(lines[first_new]), 12345.0);
  EXPECT_LE(first_new, 3u) << "a few older or undated lines before it at most";
}

TEST_F(SeekToTimeTest, WorksOnASmallFileLineByLine) {
  WriteLog(10);
  auto lines = SeekAndRead(7);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(TimeOf(lines.front()), 7.0);
}

}  // namespace
}  // namespace portcullis::log
