#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "portcullis/log/log_file.h"
#include "temp_dir.h"

namespace portcullis::log {
namespace {

using testing::TempDir;

class EncodingTest : public ::testing::Test {
 protected:
  Result<std::vector<std::string>> ReadAs(std::string_view encoding, std::string_view bytes) {
    dir_.Write("a.log", bytes);
    auto file = LogFile::Open(dir_.Path("a.log"), {.encoding = std::string(encoding)}, clock_);
    if (!file) return Fail(file.error());
    std::vector<std::string> lines;
    auto read = file->ReadLines([&](std::string_view line) {
      lines.emplace_back(line);
      return true;
    });
    if (!read) return Fail(read.error());
    return lines;
  }

  TempDir dir_;
  FakeClock clock_{1124013600};
};

TEST_F(EncodingTest, AutoAndUtf8PassBytesThroughEvenWhenInvalid) {
  for (std::string_view encoding : {"auto", "utf-8", "UTF8", "ascii"}) {
    auto lines = ReadAs(encoding, "user \xC3\xA9t\xC3\xA9\nbad \xFF\xFE byte\n");
    ASSERT_TRUE(lines) << encoding;
    EXPECT_EQ(*lines, (std::vector<std::string>{"user \xC3\xA9t\xC3\xA9", "bad \xFF\xFE byte"})) << encoding;
  }
}

TEST_F(EncodingTest, Latin1IsConvertedToUtf8) {
  for (std::string_view encoding : {"latin-1", "latin1", "ISO-8859-1", "iso8859_1"}) {
    auto lines = ReadAs(encoding, "Jos\xE9 from 192.0.2.1\n");
    ASSERT_TRUE(lines) << encoding;
    EXPECT_EQ(*lines, std::vector<std::string>{"Jos\xC3\xA9 from 192.0.2.1"}) << encoding;
  }
}

TEST_F(EncodingTest, OtherSingleByteEncodingsGoThroughIconv) {
  auto lines = ReadAs("cp1252", "price \x80 5\n");
  ASSERT_TRUE(lines);
  EXPECT_EQ(*lines, std::vector<std::string>{"price \xE2\x82\xAC 5"});
  lines = ReadAs("iso-8859-15", "\xA4\n");
  ASSERT_TRUE(lines);
  EXPECT_EQ(*lines, std::vector<std::string>{"\xE2\x82\xAC"});
}

TEST_F(EncodingTest, BytesTheEncodingDoesNotHaveBecomeReplacementCharacters) {
  auto lines = ReadAs("cp1252", "a\x81z\n");  // 0x81 is unassigned in cp1252
  ASSERT_TRUE(lines);
  EXPECT_EQ(*lines, std::vector<std::string>{"a\xEF\xBF\xBDz"});
}

TEST_F(EncodingTest, Utf16IsRefusedWithAClearError) {
  auto lines = ReadAs("utf-16", "x");
  ASSERT_FALSE(lines);
  EXPECT_EQ(lines.error().ToString(),
            "log encoding is not supported (only encodings that keep ASCII as single bytes can be read): utf-16");
}

TEST_F(EncodingTest, UnknownEncodingIsAnError) {
  auto lines = ReadAs("klingon", "x");
  ASSERT_FALSE(lines);
  EXPECT_EQ(lines.error().ToString(), "unknown log encoding: klingon");
}

}  // namespace
}  // namespace portcullis::log
