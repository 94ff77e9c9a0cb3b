#include "portcullis/config/config_tree.h"

#include <gtest/gtest.h>

#include <string>

#include "temp_config.h"

namespace portcullis::config {
namespace {

using testing::TempConfig;

// Get() that must succeed and find the option.
std::string GetOk(const ConfigTree& tree, std::string_view section, std::string_view option,
                  const OptionMap& vars = {}) {
  auto value = tree.Get(section, option, vars);
  if (!value) return "ERROR " + value.error().ToString();
  return value->value_or("<absent>");
}

std::string GetError(const ConfigTree& tree, std::string_view section, std::string_view option) {
  auto value = tree.Get(section, option);
  return value ? "no error" : value.error().ToString();
}

TEST(ConfigTreeTest, InterpolatesNamesAndTheSectionNameLazily) {
  TempConfig tmp;
  tmp.Write("i.conf", R"([DEFAULT]
b = a
zz = the%(__name__)s

[section]
y = 4%(b)s
e = 5${b}
z = %(__name__)s
Pct = 100%% sure

[section2]
z = 3%(__name__)s
)");
  auto tree = ConfigTree::Read(tmp.dir(), "i");
  ASSERT_TRUE(tree) << tree.error().ToString();
  EXPECT_EQ(tree->Sections(), (std::vector<std::string>{"section", "section2"}));
  EXPECT_EQ(GetOk(*tree, "section", "y"), "4a");
  EXPECT_EQ(GetOk(*tree, "section", "e"), "5${b}");
  EXPECT_EQ(GetOk(*tree, "section", "z"), "section");
  EXPECT_EQ(GetOk(*tree, "section", "zz"), "thesection");
  EXPECT_EQ(GetOk(*tree, "section2", "z"), "3section2");
  EXPECT_EQ(GetOk(*tree, "section", "PCT"), "100% sure");
  EXPECT_EQ(GetOk(*tree, "section", "missing"), "<absent>");
  EXPECT_EQ(GetOk(*tree, "nosection", "b"), "<absent>");
}

TEST(ConfigTreeTest, LetsCallerVarsWinInLookupsAndValues) {
  TempConfig tmp;
  tmp.Write("v.conf", "[s]\nmode = normal\nre = <%(mode)s>\n");
  auto tree = ConfigTree::Read(tmp.dir(), "v");
  ASSERT_TRUE(tree);
  OptionMap vars;
  vars.Set("Mode", "aggressive");
  EXPECT_EQ(GetOk(*tree, "s", "re", vars), "<aggressive>");
  EXPECT_EQ(GetOk(*tree, "s", "mode", vars), "aggressive");
  EXPECT_EQ(GetOk(*tree, "s", "re"), "<normal>");
}

// fail2ban's clientreadertestcase testTargetedSectionOptions, row by row.
TEST(ConfigTreeTest, ResolvesSectionTargetedNames) {
  TempConfig tmp;
  tmp.Write("g.conf", R"([DEFAULT]
a = def-a
b = def-b,a:`%(a)s`
c = def-c,b:"%(b)s"
d = def-d-b:"%(known/b)s"

[jail]
a = jail-a-%(test/a)s
b = jail-b-%(test/b)s
y = %(test/y)s

[test]
a = test-a-%(default/a)s
b = test-b-%(known/b)s
x = %(test/x)s
y = %(jail/y)s
)");
  auto tree = ConfigTree::Read(tmp.dir(), "g");
  ASSERT_TRUE(tree);
  EXPECT_EQ(GetOk(*tree, "test", "a"), "test-a-def-a");
  EXPECT_EQ(GetOk(*tree, "test", "b"), "test-b-def-b,a:`test-a-def-a`");
  EXPECT_EQ(GetOk(*tree, "jail", "a"), "jail-a-test-a-def-a");
  EXPECT_EQ(GetOk(*tree, "jail", "b"), "jail-b-test-b-def-b,a:`jail-a-test-a-def-a`");
  EXPECT_EQ(GetOk(*tree, "jail", "c"), "def-c,b:\"jail-b-test-b-def-b,a:`jail-a-test-a-def-a`\"");
  EXPECT_EQ(GetOk(*tree, "jail", "d"), "def-d-b:\"def-b,a:`jail-a-test-a-def-a`\"");
  EXPECT_EQ(GetOk(*tree, "test", "c"), "def-c,b:\"test-b-def-b,a:`test-a-def-a`\"");
  EXPECT_EQ(GetOk(*tree, "test", "d"), "def-d-b:\"def-b,a:`test-a-def-a`\"");
  EXPECT_EQ(GetOk(*tree, "DEFAULT", "c"), "def-c,b:\"def-b,a:`def-a`\"");
  EXPECT_EQ(GetOk(*tree, "DEFAULT", "d"), "def-d-b:\"def-b,a:`def-a`\"");
  std::string g = tmp.Path("g.conf");
  EXPECT_EQ(GetError(*tree, "test", "x"),
            g + ":15: option 'x' in section 'test' cannot be substituted in 10 steps (a %(..)s loop?)");
  EXPECT_EQ(GetError(*tree, "jail", "y"),
            g + ":10: option 'y' in section 'jail' cannot be substituted in 10 steps (a %(..)s loop?)");
}

TEST(ConfigTreeTest, ReportsBadInterpolationWithFileAndLine) {
  TempConfig tmp;
  std::string path = tmp.Write("bad.conf", R"([s]
lone = 50% off
a = %(b)s
b = %(a)s
unknown = x %(nope)s
open = %(name
)");
  auto tree = ConfigTree::Read(tmp.dir(), "bad");
  ASSERT_TRUE(tree);
  EXPECT_EQ(GetError(*tree, "s", "lone"),
            path + ":2: '%' must be followed by '%' or '(' in option 'lone' in section 's': % off");
  EXPECT_EQ(GetError(*tree, "s", "a"),
            path + ":3: option 'a' in section 's' cannot be substituted in 10 steps (a %(..)s loop?)");
  EXPECT_EQ(GetError(*tree, "s", "unknown"),
            path + ":5: option 'unknown' in section 's' refers to unknown option 'nope': %(nope)s");
  EXPECT_EQ(GetError(*tree, "s", "open"),
            path + ":6: bad interpolation variable reference in option 'open' in section 's': %(name");
}

TEST(ConfigTreeTest, ReadsConfDLocalAndDLocalInOrder) {
  TempConfig tmp;
  tmp.Write("jail.conf", "[j]\nv = conf\n");
  tmp.Write("jail.d/b.conf", "[j]\nv = d-b\n");
  tmp.Write("jail.d/a.conf", "[j]\nv = d-a\n");
  tmp.Write("jail.d/.hidden.conf", "[j]\nv = hidden\n");
  tmp.Write("jail.local", "[j]\nv = local\n");
  tmp.Write("jail.d/a.local", "[j]\nv = d-a-local\n");
  auto tree = ConfigTree::Read(tmp.dir() + "/", "jail");
  ASSERT_TRUE(tree);
  EXPECT_EQ(tree->files(), (std::vector<std::string>{
                               tmp.Path("jail.conf"), tmp.Path("jail.d/a.conf"),
                               tmp.Path("jail.d/b.conf"), tmp.Path("jail.local"),
                               tmp.Path("jail.d/a.local")}));
  EXPECT_EQ(GetOk(*tree, "j", "v"), "d-a-local");
  EXPECT_EQ(GetOk(*tree, "KNOWN/j", "v"), "local");
}

TEST(ConfigTreeTest, ExpandsIncludesRelativeToTheIncludingFileWithTheirLocals) {
  TempConfig tmp;
  tmp.Write("filter.d/x.conf", "[INCLUDES]\nbefore = common.conf\n  missing.conf\nafter = sub/after.conf\n[Definition]\nv = x\n");
  tmp.Write("filter.d/common.conf", "[INCLUDES]\nbefore = x.conf\n[DEFAULT]\nd = common\n");
  tmp.Write("filter.d/common.local", "[DEFAULT]\nd = common-local\n");
  tmp.Write("filter.d/sub/after.conf", "[Definition]\nv = after\n");
  auto tree = ConfigTree::Read(tmp.dir(), "filter.d/x");
  ASSERT_TRUE(tree) << tree.error().ToString();
  // x.conf is on its own include chain when common.conf names it: skipped.
  EXPECT_EQ(tree->files(), (std::vector<std::string>{
                               tmp.Path("filter.d/common.conf"), tmp.Path("filter.d/common.local"),
                               tmp.Path("filter.d/x.conf"), tmp.Path("filter.d/sub/after.conf")}));
  EXPECT_EQ(GetOk(*tree, "Definition", "v"), "after");
  EXPECT_EQ(GetOk(*tree, "Definition", "d"), "common-local");
}

TEST(ConfigTreeTest, KeepsReplacedValuesUnderKnown) {
  TempConfig tmp;
  tmp.Write("f.conf", "[Definition]\nfailregex = ^conf <HOST>\nother = 1\n");
  tmp.Write("f.local", "[Definition]\nfailregex = %(known/failregex)s\n  ^local <HOST>\n");
  auto tree = ConfigTree::Read(tmp.dir(), "f");
  ASSERT_TRUE(tree);
  EXPECT_EQ(GetOk(*tree, "Definition", "failregex"), "^conf <HOST>\n^local <HOST>");
  EXPECT_EQ(tree->Options("KNOWN/Definition", false), (std::vector<std::string>{"failregex"}));
  EXPECT_EQ(tree->Sections(), (std::vector<std::string>{"Definition"}));
  EXPECT_TRUE(tree->HasSection("KNOWN/Definition"));
}

TEST(ConfigTreeTest, MergesConditionalSectionsAsConditionalKeys) {
  TempConfig tmp;
  tmp.Write("a.conf", "[Init]\nblocktype = REJECT\n[Init?family=inet6]\nblocktype = REJECT6\n");
  auto tree = ConfigTree::Read(tmp.dir(), "a");
  ASSERT_TRUE(tree);
  EXPECT_EQ(tree->Options("Init", false), (std::vector<std::string>{"blocktype", "blocktype?family=inet6"}));
  EXPECT_EQ(GetOk(*tree, "Init", "blocktype?family=inet6"), "REJECT6");
  EXPECT_FALSE(tree->HasSection("Init?family=inet6"));
}

TEST(ConfigTreeTest, GetExReadsKnownDefaultAndNamedSections) {
  TempConfig tmp;
  tmp.Write("e.conf", "[DEFAULT]\nd = def\n[lt_file]\np = file-%(__name__)s\n[Definition]\nv = conf\n");
  tmp.Write("e.local", "[Definition]\nv = local\n");
  auto tree = ConfigTree::Read(tmp.dir(), "e");
  ASSERT_TRUE(tree);
  auto ex = [&](std::string_view option) {
    auto v = tree->GetEx("Definition", option);
    return v ? v->value_or("<absent>") : "ERROR " + v.error().ToString();
  };
  EXPECT_EQ(ex("known/v"), "conf");
  EXPECT_EQ(ex("default/d"), "def");
  EXPECT_EQ(ex("lt_file/p"), "file-lt_file");
  EXPECT_EQ(ex("v"), "local");
  EXPECT_EQ(ex("lt_journal/p"), "<absent>");
}

TEST(ConfigTreeTest, MergesStaticDefaultsAndSections) {
  TempConfig tmp;
  tmp.Write("jail.conf", "[sshd]\nv = %(fail2ban_version)s\n");
  auto tree = ConfigTree::Read(tmp.dir(), "jail");
  ASSERT_TRUE(tree);
  OptionMap defaults;
  defaults.Set("fail2ban_version", "1.0.2");
  tree->MergeDefaults(defaults);
  OptionMap known;
  known.Set("failregex", "x");
  known.Set("known/y", "y");
  tree->MergeSection("sshd", known, "known/");
  EXPECT_EQ(GetOk(*tree, "sshd", "v"), "1.0.2");
  EXPECT_EQ(GetOk(*tree, "sshd", "known/failregex"), "x");
  EXPECT_EQ(GetOk(*tree, "sshd", "known/y"), "y");
}

TEST(ConfigTreeTest, ReportsMissingConfigAndBaseFolder) {
  TempConfig tmp;
  auto none = ConfigTree::Read(tmp.dir(), "filter.d/nope");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().ToString(),
            "Found no accessible config files for 'filter.d/nope' under " + tmp.dir());
  auto nobase = ConfigTree::Read(tmp.Path("absent"), "jail");
  ASSERT_FALSE(nobase);
  EXPECT_EQ(nobase.error().ToString(),
            "Base configuration directory " + tmp.Path("absent") + " does not exist");
}

TEST(ConfigTreeTest, WarnsOfAMissingIncludeNamingFileAndLineButReadsOn) {
  TempConfig tmp;
  std::string path = tmp.Write("f.conf",
                               "[INCLUDES]\n"
                               "before = gone.conf\n"
                               "after = optional.local\n"
                               "[Definition]\nv = 1\n");
  auto tree = ConfigTree::Read(tmp.dir(), "f");
  ASSERT_TRUE(tree) << tree.error().ToString();
  EXPECT_EQ(*tree->Get("Definition", "v"), "1");
  ASSERT_EQ(tree->warnings().size(), 1u) << "a missing .local is normal and not reported";
  EXPECT_EQ(tree->warnings()[0].ToString(),
            path + ":2: included file does not exist: " + tmp.Path("gone.conf"));
}

TEST(ConfigTreeTest, FailsOnAMalformedIncludedFile) {
  TempConfig tmp;
  tmp.Write("f.conf", "[INCLUDES]\nafter = broken.conf\n[Definition]\nv = 1\n");
  std::string broken = tmp.Write("broken.conf", "[Definition]\nv = 1\njunk\n");
  auto tree = ConfigTree::Read(tmp.dir(), "f");
  ASSERT_FALSE(tree);
  EXPECT_EQ(tree.error().ToString(), broken + ":3: expected 'name = value' or '[section]': junk");
}

TEST(ConfigTreeTest, ReadsAForeignFileWithItsLocalAndIncludes) {
  TempConfig tmp;
  std::string path = tmp.Write("elsewhere/my.conf", "[INCLUDES]\nbefore = base.conf\n[Definition]\nv = my\n");
  tmp.Write("elsewhere/my.local", "[Definition]\nv = my-local\n");
  tmp.Write("elsewhere/base.conf", "[Definition]\nw = base\n");
  auto tree = ConfigTree::ReadFile(path);
  ASSERT_TRUE(tree);
  EXPECT_EQ(tree->files().size(), 3u);
  EXPECT_EQ(GetOk(*tree, "Definition", "v"), "my-local");
  EXPECT_EQ(GetOk(*tree, "Definition", "w"), "base");
  EXPECT_FALSE(ConfigTree::ReadFile(tmp.Path("none.conf")));
}

}  // namespace
}  // namespace portcullis::config
