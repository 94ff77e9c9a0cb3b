#include "portcullis/tester/log_reader.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace portcullis::tester {
namespace {

std::string Decode(std::string_view bytes, Encoding encoding = Encoding::kUtf8) {
  std::string out;
  DecodeAppend(bytes, encoding, out);
  return out;
}

TEST(DecodeTest, ReplacesInvalidUtf8AsPythonDoes) {
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(Decode("plain"), "plain");
  EXPECT_EQ(Decode("caf\xC3\xA9"), "caf\xC3\xA9");
  EXPECT_EQ(Decode("a\xE2\x82 b"), "a" + fffd + " b");                 // truncated: one replacement
  EXPECT_EQ(Decode("\xFF\xC0\x80"), fffd + fffd + fffd);              // invalid starts: one each
  EXPECT_EQ(Decode("\xED\xA0\x80"), fffd + fffd + fffd);              // surrogates are invalid
  EXPECT_EQ(Decode("D\xE9" "c", Encoding::kLatin1), "D\xC3\xA9" "c");
  EXPECT_EQ(Decode("D\xE9" "c", Encoding::kAscii), "D" + fffd + "c");
}

TEST(ParseEncodingTest, KnowsPythonNames) {
  EXPECT_EQ(*ParseEncoding("UTF-8"), Encoding::kUtf8);
  EXPECT_EQ(*ParseEncoding("utf_8"), Encoding::kUtf8);
  EXPECT_EQ(*ParseEncoding("Latin-1"), Encoding::kLatin1);
  EXPECT_EQ(ParseEncoding("klingon").error().message, "unknown encoding: klingon");
}

TEST(LogReaderTest, SplitsLinesAndDropsAnUnterminatedLastLine) {
  std::string path = ::testing::TempDir() + "log_reader_test.log";
  {
    std::ofstream out(path, std::ios::binary);
    out << "first\r\n\nthird \xFF\nno newline at the end";
  }
  auto reader = LogReader::Open(path, Encoding::kUtf8);
  ASSERT_TRUE(reader);
  std::vector<std::string> lines;
  std::string_view line;
  while (reader->Next(line)) lines.emplace_back(line);
  EXPECT_EQ(lines, (std::vector<std::string>{"first", "", "third \xEF\xBF\xBD"}));
  std::remove(path.c_str());
}

// Blocks are checked for ASCII as they are read; a line after the first other byte of
// a block, in that block or a later one, is still decoded, and ASCII lines around it
// read as they are.
TEST(LogReaderTest, DecodesEveryLineAfterANonAsciiByteInAnyBlock) {
  std::string path = ::testing::TempDir() + "log_reader_blocks.log";
  std::vector<std::string> expected;
  {
    std::ofstream out(path, std::ios::binary);
    for (int i = 0; i < 12000; ++i) {  // about 400 KiB: several blocks
      std::string line = "line " + std::to_string(i) + " of a long enough log";
      if (i % 3001 == 7) {
        out << line << " \xFF\n";
        expected.push_back(line + " \xEF\xBF\xBD");
      } else if (i % 3001 == 8) {
        out << line << " caf\xC3\xA9\n";
        expected.push_back(line + " caf\xC3\xA9");
      } else {
        out << line << "\n";
        expected.push_back(line);
      }
    }
  }
  auto reader = LogReader::Open(path, Encoding::kUtf8);
  ASSERT_TRUE(reader);
  std::vector<std::string> lines;
  std::string_view line;
  while (reader->Next(line)) lines.emplace_back(line);
  EXPECT_EQ(lines, expected);
  std::remove(path.c_str());
}

TEST(LogReaderTest, NamesAMissingFileLikePython) {
  auto reader = LogReader::Open("/nonexistent/x.log", Encoding::kUtf8);
  ASSERT_FALSE(reader);
  EXPECT_EQ(reader.error().message, "[Errno 2] No such file or directory: '/nonexistent/x.log'");
}

}  // namespace
}  // namespace portcullis::tester

namespace portcullis::tester {
namespace {

TEST(LogReaderTest, ReadsTheLinesThatStartInARange) {
  std::string path = ::testing::TempDir() + "log_reader_range.log";
  {
    std::ofstream out(path, std::ios::binary);
    out << "aa\nbbbb\ncc\ndd";  // line starts 0, 3, 8, 11; "dd" unterminated
  }
  EXPECT_EQ(LogReader::NextLineStart(path, 0), 0u);
  EXPECT_EQ(LogReader::NextLineStart(path, 1), 3u);
  EXPECT_EQ(LogReader::NextLineStart(path, 3), 3u);
  EXPECT_EQ(LogReader::NextLineStart(path, 4), 8u);
  EXPECT_EQ(LogReader::NextLineStart(path, 12), 13u);  // none left: the size
  auto lines = [&](uint64_t begin, uint64_t end) {
    auto reader = LogReader::OpenRange(path, Encoding::kUtf8, begin, end);
    EXPECT_TRUE(reader);
    std::string all;
    std::string_view line;
    while (reader->Next(line)) all += std::string(line) + "|";
    return all;
  };
  EXPECT_EQ(lines(0, 3), "aa|");
  EXPECT_EQ(lines(3, 11), "bbbb|cc|");
  EXPECT_EQ(lines(8, 13), "cc|");  // the unterminated last line stays out, as in a full read
  EXPECT_EQ(lines(0, 13), "aa|bbbb|cc|");
}

}  // namespace
}  // namespace portcullis::tester
