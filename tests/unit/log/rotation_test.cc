// Rotation as logrotate does it, on real files: rename + create, copytruncate,
// delete + recreate, and a first line rewritten in place.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "portcullis/log/log_file.h"
#include "temp_dir.h"

namespace portcullis::log {
namespace {

using testing::TempDir;
using Lines = std::vector<std::string>;

class RotationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.Write("a.log", "first line\nsecond\n");
    auto file = LogFile::Open(dir_.Path("a.log"), {}, clock_);
    ASSERT_TRUE(file);
    file_.emplace(std::move(*file));
    ASSERT_EQ(Read(), (Lines{"first line", "second"}));
  }
  Lines Read() {
    Lines lines;
    auto result = file_->ReadLines([&](std::string_view line) {
      lines.emplace_back(line);
      return true;
    });
    EXPECT_TRUE(result) << (result ? "" : result.error().ToString());
    if (result) last_ = *result;
    return lines;
  }

  TempDir dir_;
  FakeClock clock_{1124013600};
  std::optional<LogFile> file_;
  ReadResult last_;
};

TEST_F(RotationTest, AppendIsNoRotation) {
  dir_.Append("a.log", "third\n");
  EXPECT_EQ(Read(), Lines{"third"});
  EXPECT_FALSE(last_.rotated);
}

TEST_F(RotationTest, RenameAndCreateReadsTheNewFileFromTheStart) {
  dir_.Rename("a.log", "a.log.1");
  dir_.Write("a.log", "new first\n");
  EXPECT_EQ(Read(), Lines{"new first"});
  EXPECT_TRUE(last_.rotated);
  EXPECT_EQ(file_->position(), (LogPosition{"bcb9d8487ccf80a10f1db7366ed47aab28a42ca3", 10}));
}

TEST_F(RotationTest, RenameKeepsLinesWrittenToTheOldFileBeforeTheRotationWasSeen) {
  dir_.Append("a.log", "late 1\n");
  dir_.Rename("a.log", "a.log.1");
  dir_.Append("a.log.1", "late 2\n");  // the logger has not reopened yet
  dir_.Write("a.log", "");              // logrotate's `create`
  EXPECT_EQ(Read(), (Lines{"late 1", "late 2"}));
  EXPECT_TRUE(last_.rotated);
  EXPECT_TRUE(file_->draining_old_file());
  dir_.Append("a.log.1", "late 3\n");  // still writing to the old file
  EXPECT_EQ(Read(), Lines{"late 3"});
  dir_.Append("a.log.1", "late 4\nlast words");  // then it reopens
  dir_.Append("a.log", "new 1\n");
  EXPECT_EQ(Read(), (Lines{"late 4", "last words", "new 1"}));
  EXPECT_FALSE(file_->draining_old_file());
  EXPECT_FALSE(last_.rotated);
}

TEST_F(RotationTest, TheOldFileIsLetGoAfterAMinuteWithoutNewData) {
  dir_.Rename("a.log", "a.log.1");
  dir_.Write("a.log", "");
  EXPECT_EQ(Read(), Lines{});
  EXPECT_TRUE(file_->draining_old_file());
  clock_.Advance(61);
  dir_.Append("a.log.1", "late\n");
  EXPECT_EQ(Read(), Lines{"late"});
  EXPECT_FALSE(file_->draining_old_file());
}

TEST_F(RotationTest, CopyTruncateIsSeenWhenTheFileIsShorter) {
  dir_.Truncate("a.log");
  dir_.Append("a.log", "x\n");
  EXPECT_EQ(Read(), Lines{"x"});
  EXPECT_TRUE(last_.rotated);
  EXPECT_EQ(last_.rotation_reason.substr(0, 8), "(2, 18, ");
}

TEST_F(RotationTest, DeleteReadsWhatIsLeftAndReportsTheAbsence) {
  dir_.Append("a.log", "before delete\n");
  dir_.Remove("a.log");
  EXPECT_EQ(Read(), Lines{"before delete"});
  EXPECT_TRUE(last_.absent);
  EXPECT_FALSE(last_.rotated);
  dir_.Write("a.log", "reborn\n");
  EXPECT_EQ(Read(), Lines{"reborn"});
  EXPECT_TRUE(last_.rotated);
  EXPECT_FALSE(last_.absent);
}

TEST_F(RotationTest, AFileGoneForLongIsClosedAndAnotherFileThereIsRotation) {
  dir_.Remove("a.log");
  EXPECT_EQ(Read(), Lines{});
  clock_.Advance(61);
  EXPECT_EQ(Read(), Lines{});
  dir_.Write("a.log", "again\n");
  EXPECT_EQ(Read(), Lines{"again"});
  EXPECT_TRUE(last_.rotated);
}

TEST_F(RotationTest, AFirstLineRewrittenInPlaceIsSeenAtTheNextRehash) {
  // Same inode, longer than before: only the first line tells.
  dir_.Write("a.log", "new first\nnew second line\n");
  EXPECT_EQ(Read(), Lines{"nd line"});  // within 30 s: read on from the old position, as fail2ban
  dir_.Append("a.log", "more\n");
  clock_.Advance(31);
  EXPECT_EQ(Read(), (Lines{"new first", "new second line", "more"}));
  EXPECT_TRUE(last_.rotated);
}

TEST_F(RotationTest, ReasonIsFail2bansTuple) {
  dir_.Rename("a.log", "a.log.1");
  dir_.Write("a.log", "new first\n");
  Read();
  // (size, pos, inode, old inode, hash, old hash)
  EXPECT_EQ(last_.rotation_reason.substr(0, 8), "(10, 18,");
  EXPECT_NE(last_.rotation_reason.find(", 'bcb9d8487ccf80a10f1db7366ed47aab28a42ca3', "
                                       "'e32c72173d6151f438f6ff3a85c56a46ed99ca81')"),
            std::string::npos);
}

TEST_F(RotationTest, TwoRotationsInARowLoseNothing) {
  dir_.Rename("a.log", "a.log.1");
  dir_.Write("a.log", "");
  EXPECT_EQ(Read(), Lines{});
  dir_.Append("a.log.1", "old 1\n");
  dir_.Rename("a.log", "a.log.2");
  dir_.Append("a.log.2", "middle\n");
  dir_.Write("a.log", "newest\n");
  EXPECT_EQ(Read(), (Lines{"old 1", "middle", "newest"}));
}

}  // namespace
}  // namespace portcullis::log
