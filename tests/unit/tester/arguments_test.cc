#include "portcullis/tester/arguments.h"

#include <gtest/gtest.h>

#include <set>

namespace portcullis::tester {
namespace {

// A file system holding exactly `files`, working folder /work.
FileSystemView Fake(std::set<std::string> files) {
  return FileSystemView{[files](const std::string& p) { return files.count(p) > 0; }, "/work"};
}

struct RegexCase {
  const char* value;
  const char* config;
  RegexArgument::Kind kind;
  const char* name;
  const char* basedir_or_file;
};

TEST(ResolveRegexArgumentTest, FollowsFail2banRegexLookupRules) {
  const std::set<std::string> files{"/etc/fail2ban/filter.d/sshd.conf", "/etc/fail2ban/filter.d/x.local",
                                    "cfg/filter.d/postfix.conf", "/tmp/my.conf", "rel/own.conf",
                                    "/etc/fail2ban/filter.d/a.b.conf"};
  const RegexCase cases[] = {
      {"sshd", "/etc/fail2ban", RegexArgument::Kind::kFilter, "sshd", "/etc/fail2ban"},
      {"sshd[mode=aggressive]", "/etc/fail2ban", RegexArgument::Kind::kFilter, "sshd", "/etc/fail2ban"},
      {"sshd.conf", "/etc/fail2ban", RegexArgument::Kind::kFilter, "sshd", "/etc/fail2ban"},
      {"x", "/etc/fail2ban", RegexArgument::Kind::kFilter, "x", "/etc/fail2ban"},  // x.local only
      {"sshd", "/etc/fail2ban/filter.d", RegexArgument::Kind::kFilter, "sshd", "/etc/fail2ban"},
      {"cfg/filter.d/postfix.conf", "/etc/fail2ban", RegexArgument::Kind::kFilter, "postfix", "cfg"},
      {"/tmp/my.conf", "/etc/fail2ban", RegexArgument::Kind::kForeignFile, "/tmp/my.conf", "/tmp/my.conf"},
      {"rel/own.conf", "/etc/fail2ban", RegexArgument::Kind::kForeignFile, "rel/own.conf", "/work/rel/own.conf"},
      {"nosuchfilter", "/etc/fail2ban", RegexArgument::Kind::kLiteral, "", ""},
      {"a.b", "/etc/fail2ban", RegexArgument::Kind::kLiteral, "", ""},  // has an extension: tried as is only
      {"Failed .* from <HOST>", "/etc/fail2ban", RegexArgument::Kind::kLiteral, "", ""},
  };
  for (const RegexCase& c : cases) {
    auto arg = ResolveRegexArgument(c.value, c.config, Fake(files));
    ASSERT_TRUE(arg) << c.value;
    EXPECT_EQ(arg->kind, c.kind) << c.value;
    EXPECT_EQ(arg->value, c.value);
    if (c.kind == RegexArgument::Kind::kLiteral) continue;
    EXPECT_EQ(arg->name, c.name) << c.value;
    EXPECT_EQ(c.kind == RegexArgument::Kind::kFilter ? arg->basedir : arg->file, c.basedir_or_file) << c.value;
  }
}

TEST(ResolveRegexArgumentTest, KeepsFilterOptionsInOrder) {
  auto arg = ResolveRegexArgument("sshd[mode=aggressive, port=\"22,2222\"]", "/etc/fail2ban",
                                  Fake({"/etc/fail2ban/filter.d/sshd.conf"}));
  ASSERT_TRUE(arg);
  EXPECT_EQ(arg->options.Repr(), "{'mode': 'aggressive', 'port': '22,2222'}");
}

TEST(ResolveRegexArgumentTest, ReportsMalformedFilterOptions) {
  auto arg = ResolveRegexArgument("flt[a='x,y,z',b=z,y,x]", "/etc/fail2ban", Fake({}));
  ASSERT_FALSE(arg);
  EXPECT_EQ(arg.error().message, "expected option, wrong syntax at 14: y,x");
}

TEST(ResolveLogArgumentTest, TellsFilesJournalAndLiteralTextApart) {
  auto fs = Fake({"/var/log/auth.log"});
  EXPECT_EQ(ResolveLogArgument("/var/log/auth.log", 1, fs).kind, LogArgument::Kind::kFile);
  EXPECT_EQ(ResolveLogArgument("systemd-journal[journalflags=1]", 1, fs).kind, LogArgument::Kind::kJournal);
  LogArgument single = ResolveLogArgument("/var/log/missing.log", 1, fs);
  EXPECT_EQ(single.kind, LogArgument::Kind::kSingleLine);
  EXPECT_EQ(single.lines, std::vector<std::string>{"/var/log/missing.log"});
  LogArgument multi = ResolveLogArgument("a\nb\n", 1, fs);
  EXPECT_EQ(multi.kind, LogArgument::Kind::kMultiLine);
  EXPECT_EQ(multi.lines, (std::vector<std::string>{"a", "b", ""}));
  EXPECT_EQ(ResolveLogArgument("one line", 2, fs).kind, LogArgument::Kind::kMultiLine);
}

TEST(PyPathTest, BehavesLikePythonOsPath) {
  EXPECT_EQ(PyDirname("a/b/c.conf"), "a/b");
  EXPECT_EQ(PyDirname("/x"), "/");
  EXPECT_EQ(PyDirname("x"), "");
  EXPECT_EQ(PyDirname("a//b"), "a");
  EXPECT_EQ(PyBasename("a/b/filter.d"), "filter.d");
  EXPECT_EQ(PyJoin("/etc/fail2ban/", "filter.d"), "/etc/fail2ban/filter.d");
  EXPECT_EQ(PySplitextStem("sshd.conf"), "sshd");
  EXPECT_EQ(PySplitextStem(".conf"), ".conf");
  EXPECT_EQ(PyAbspath("../x/./y.conf", "/work/main"), "/work/x/y.conf");
}

}  // namespace
}  // namespace portcullis::tester
