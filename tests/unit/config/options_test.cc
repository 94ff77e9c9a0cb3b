#include "portcullis/config/options.h"

#include <gtest/gtest.h>

namespace portcullis::config {
namespace {

struct ExtractCase {
  const char* text;
  const char* name;
  const char* options;  // Repr() of the options, or the error text
};

// Rows checked against fail2ban 1.0.2's helpers.extractOptions.
const ExtractCase kExtract[] = {
    {"sshd", "sshd", "{}"},
    {"sshd[mode=aggressive]", "sshd", "{'mode': 'aggressive'}"},
    {"x [a=1]", "x ", "{'a': '1'}"},
    {"a[p1=1][p2=\"two\"]", "a", "{'p1': '1', 'p2': 'two'}"},
    {"iptables[port=\"22,2222\", protocol=tcp, ]", "iptables", "{'port': '22,2222', 'protocol': 'tcp'}"},
    {"a[b=1] ", "a", "{'b': '1'}"},
    {"a[b=1]\n", "a", "{'b': '1'}"},
    {"a[b=\" sp \"]", "a", "{'b': 'sp'}"},
    {"a[b='x]y', c=\"it's\"]", "a", "{'b': 'x]y', 'c': \"it's\"}"},
    {"a[b='x]y', c = d]", "", "expected option, wrong syntax at 8:  c = d"},
    {"a[b = c]", "", "expected option, wrong syntax at 0: b = c"},
    {"a[b=\"x\"y]", "", "unexpected syntax at 5 after option 'b': y"},
    {"a[b=1,,c=2]", "", "expected option, wrong syntax at 4: ,c=2"},
    {"a[x]", "", "expected option, wrong syntax at 0: x"},
    {"a[b=1]x", "", "unexpected option syntax: a[b=1]x"},
    {"a[b=1", "", "unexpected option syntax: a[b=1"},
    {"[b=1]", "", "unexpected option syntax: [b=1]"},
};

TEST(ExtractOptionsTest, SplitsNameAndOptionsLikeFail2ban) {
  for (const ExtractCase& row : kExtract) {
    auto got = ExtractOptions(row.text);
    if (*row.name == '\0') {
      ASSERT_FALSE(got) << row.text;
      EXPECT_EQ(got.error().ToString(), row.options) << row.text;
      continue;
    }
    ASSERT_TRUE(got) << row.text << ": " << got.error().ToString();
    EXPECT_EQ(got->name, row.name);
    EXPECT_EQ(got->options.Repr(), row.options);
  }
}

TEST(SplitWithOptionsTest, KeepsBracketedOptionsInOneWord) {
  EXPECT_EQ(SplitWithOptions("a b"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(SplitWithOptions("iptables[port=\"22, 2222\", name=x]\n  sendmail[dest=\"a b\"]  x"),
            (std::vector<std::string>{"iptables[port=\"22, 2222\", name=x]", "sendmail[dest=\"a b\"]", "x"}));
  EXPECT_EQ(SplitWithOptions("a[b=1] [c=2]"), (std::vector<std::string>{"a[b=1] [c=2]"}));
  EXPECT_EQ(SplitWithOptions("abc[x=1]\n\ndef"), (std::vector<std::string>{"abc[x=1]", "def"}));
  EXPECT_EQ(SplitWithOptions(" \n "), (std::vector<std::string>{}));
}

TEST(SplitWordsTest, SplitsOnSpacesCommasAndNewlines) {
  EXPECT_EQ(SplitWords(" 1.2.3.4, 5.6.7.8\n  ::1,,x "),
            (std::vector<std::string>{"1.2.3.4", "5.6.7.8", "::1", "x"}));
  EXPECT_TRUE(SplitWords("").empty());
}

TEST(ParseBoolTest, AcceptsOnlyFail2bansTrueWords) {
  for (const char* yes : {"1", "on", "true", "yes", "True", "YES", "On"}) EXPECT_TRUE(ParseBool(yes)) << yes;
  for (const char* no : {"0", "off", "false", "no", "", " true", "y", "2"}) EXPECT_FALSE(ParseBool(no)) << no;
}

TEST(OptionMapTest, KeepsInsertionOrderAndReplacesInPlace) {
  OptionMap map;
  map.Set("mode", "normal");
  map.Set("port", "22");
  map.Set("mode", "aggressive");
  EXPECT_EQ(map.Repr(), "{'mode': 'aggressive', 'port': '22'}");
  EXPECT_TRUE(map.Erase("mode"));
  EXPECT_FALSE(map.Erase("mode"));
  EXPECT_EQ(map.size(), 1u);
  map.Set("q", "it's \"x\"\n\\");
  EXPECT_EQ(map.Repr(), "{'port': '22', 'q': 'it\\'s \"x\"\\n\\\\'}");
}

}  // namespace
}  // namespace portcullis::config
