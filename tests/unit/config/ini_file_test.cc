#include "portcullis/config/ini_file.h"

#include <gtest/gtest.h>

#include <string>

#include "temp_config.h"

namespace portcullis::config {
namespace {

struct DialectCase {
  const char* body;      // lines after "[s]\n"
  const char* expected;  // raw value of option k
};

// Each row checked against Python configparser as fail2ban 1.0.2 sets it up.
const DialectCase kDialect[] = {
    {"k = d ;in line comment", "d"},
    {"k = x;y", "x;y"},
    {"k = a#b", "a#b"},
    {"K = v", "v"},
    {"k: v", "v"},
    {"k =", ""},
    {"k = ;c", ""},
    {"k = a = b", "a = b"},
    {"k:a = b", "a = b"},
    {"k\t=\tv v ", "v v"},
    {"k = a ;b ;c", "a"},
    {"  k = v", "v"},
    {"k = a\n  b\n\n  c\n\n", "a\nb\n\nc"},
    {"k = a\n  # c\n  b", "a\nb"},
    {"k = a\n;c\n  b", "a\nb"},
    {"k = a\n  b ; c", "a\nb"},
    {"k = a\n\tb", "a\nb"},
    {"k = a\n\n\n  b", "a\n\n\nb"},
    {"k=v\n [x]", "v\n[x]"},
    {"k = a\r\n  b\r\n", "a\nb"},
};

TEST(IniFileTest, ReadsValuesTheWayConfigparserDoes) {
  for (const DialectCase& row : kDialect) {
    auto ini = IniFile::Parse(std::string("[s]\n") + row.body + "\n", "t.conf");
    ASSERT_TRUE(ini) << row.body << ": " << ini.error().ToString();
    const IniSection* s = ini->FindSection("s");
    ASSERT_NE(s, nullptr);
    const Value* k = s->Find("k");
    ASSERT_NE(k, nullptr) << row.body;
    EXPECT_EQ(k->text, row.expected) << row.body;
  }
}

TEST(IniFileTest, KeepsSectionNamesVerbatimAndIgnoresTextAfterTheHeader) {
  auto ini = IniFile::Parse("[ Mixed Case ]\na=1\n[s] trailing\nb=2\n", "t.conf");
  ASSERT_TRUE(ini);
  ASSERT_EQ(ini->sections().size(), 2u);
  EXPECT_EQ(ini->sections()[0].name(), " Mixed Case ");
  EXPECT_EQ(ini->sections()[1].name(), "s");
}

TEST(IniFileTest, RecordsTheLineOfEveryValueLine) {
  auto ini = IniFile::Parse("[s]\n# c\nk = a\n  b\n  # skipped\n\n  c\nx = 1\n", "t.conf");
  ASSERT_TRUE(ini);
  const Value* k = ini->FindSection("s")->Find("k");
  EXPECT_EQ(k->text, "a\nb\n\nc");
  EXPECT_EQ(k->file, "t.conf");
  EXPECT_EQ(k->line, 3);
  EXPECT_EQ(k->lines, (std::vector<int>{3, 4, 6, 7}));
}

TEST(IniFileTest, MergesRepeatedDefaultSectionsOfOneFile) {
  auto ini = IniFile::Parse("[DEFAULT]\na=1\n[DEFAULT]\nb=2\n[s]\n", "t.conf");
  ASSERT_TRUE(ini);
  EXPECT_EQ(ini->defaults().Find("a")->text, "1");
  EXPECT_EQ(ini->defaults().Find("b")->text, "2");
  EXPECT_EQ(ini->FindSection("DEFAULT"), nullptr);
}

TEST(IniFileTest, ReadsLinesLongerThanAnyFixedBuffer) {
  std::string long_value(5000, 'x');
  auto ini = IniFile::Parse("[s]\nk = " + long_value + "\n", "t.conf");
  ASSERT_TRUE(ini);
  EXPECT_EQ(ini->FindSection("s")->Find("k")->text, long_value);
}

struct BadCase {
  const char* text;
  const char* error;
};

const BadCase kBad[] = {
    {"[s]\nk\n", "t.conf:2: expected 'name = value' or '[section]': k"},
    {"[s]\n= v\n", "t.conf:2: option without a name: = v"},
    {"k = v\n", "t.conf:1: option outside of any [section]: k = v"},
    {"[s]\nk=1\nK=2\n", "t.conf:3: duplicate option 'k' in section [s] (first set at line 2): K=2"},
    {"[DEFAULT]\nk=1\n[DEFAULT]\nk=2\n",
     "t.conf:4: duplicate option 'k' in section [DEFAULT] (first set at line 2): k=2"},
    {"[s]\n[t]\n[s]\n", "t.conf:3: duplicate section [s] in the same file: [s]"},
    {"[s]\nk = \xff\n", "t.conf:2: file is not valid UTF-8"},
};

TEST(IniFileTest, RejectsMalformedFilesNamingFileAndLine) {
  for (const BadCase& row : kBad) {
    auto ini = IniFile::Parse(row.text, "t.conf");
    ASSERT_FALSE(ini) << row.text;
    EXPECT_EQ(ini.error().ToString(), row.error);
  }
}

TEST(IniFileTest, LoadReportsAMissingFileAsNothingToRead) {
  testing::TempConfig tmp;
  auto missing = IniFile::Load(tmp.Path("nope.conf"));
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());
  auto folder = IniFile::Load(tmp.dir());
  ASSERT_TRUE(folder);
  EXPECT_FALSE(folder->has_value());
}

TEST(FileCacheTest, ParsesEachFileOnce) {
  testing::TempConfig tmp;
  std::string path = tmp.Write("a.conf", "[s]\nk = 1\n");
  FileCache cache;
  auto first = cache.Load(path);
  tmp.Write("a.conf", "[s]\nk = 2\n");
  auto second = cache.Load(path);
  ASSERT_TRUE(first && second && *first);
  EXPECT_EQ(first->get(), second->get());
  EXPECT_EQ((*second)->FindSection("s")->Find("k")->text, "1");
}

}  // namespace
}  // namespace portcullis::config
