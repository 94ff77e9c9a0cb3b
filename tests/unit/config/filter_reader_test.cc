#include "portcullis/config/filter_reader.h"

#include <gtest/gtest.h>

#include <string>

#include "temp_config.h"

namespace portcullis::config {
namespace {

using testing::TempConfig;

const std::string kStock = std::string(PORTCULLIS_CORPUS_DIR) + "/config";
const std::string kTests = std::string(PORTCULLIS_CORPUS_DIR) + "/tests/config";

FilterRequest Request(std::string basedir, std::string name, OptionMap options = {}) {
  FilterRequest request;
  request.basedir = std::move(basedir);
  request.name = std::move(name);
  request.options = std::move(options);
  return request;
}

std::string Keys(const OptionMap& map) {
  std::string out;
  for (const auto& [key, value] : map) out += (out.empty() ? "" : " ") + key;
  return out;
}

OptionMap Mode(const char* mode) {
  OptionMap options;
  options.Set("mode", mode);
  return options;
}

// The failregex counts fail2ban 1.0.2 gives (verified with its FilterReader).
TEST(FilterReaderTest, ExpandsSshdModesToFail2bansRegexCounts) {
  const std::pair<const char*, size_t> rows[] = {
      {"normal", 22}, {"ddos", 29}, {"extra", 26}, {"aggressive", 33}};
  for (const auto& [mode, count] : rows) {
    auto spec = ReadFilter(Request(kStock, "sshd", Mode(mode)));
    ASSERT_TRUE(spec) << spec.error().ToString();
    EXPECT_EQ(spec->failregex.size(), count) << mode;
  }
  auto plain = ReadFilter(Request(kStock, "sshd"));
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->failregex.size(), 22u);
}

TEST(FilterReaderTest, FillsTheFilterOptions) {
  auto spec = ReadFilter(Request(kStock, "sshd"));
  ASSERT_TRUE(spec);
  EXPECT_EQ(spec->name, "sshd");
  EXPECT_EQ(spec->files, (std::vector<std::string>{kStock + "/filter.d/common.conf",
                                                   kStock + "/filter.d/sshd.conf"}));
  EXPECT_EQ(spec->maxlines, 1);
  EXPECT_EQ(spec->journalmatch, (std::vector<std::string>{"_SYSTEMD_UNIT=sshd.service + _COMM=sshd"}));
  ASSERT_TRUE(spec->prefregex);
  EXPECT_EQ(spec->prefregex->text.substr(0, 30), "^<F-MLFID>(?:\\[\\])?\\s*(?:<[^.]");
  EXPECT_EQ(spec->prefregex->line, 39);
  EXPECT_TRUE(spec->ignoreregex.empty());
  EXPECT_EQ(spec->datepattern, "{^LN-BEG}");
  EXPECT_EQ(Keys(spec->combined), "prefregex ignoreregex failregex maxlines datepattern journalmatch");
  auto aggressive = ReadFilter(Request(kStock, "sshd", Mode("aggressive")));
  ASSERT_TRUE(aggressive);
  EXPECT_EQ(aggressive->options.Repr(), "{'mode': 'aggressive'}");
  EXPECT_EQ(*aggressive->combined.Find("mode"), "aggressive");
}

TEST(FilterReaderTest, TracesEachRegexToTheLineItWasWrittenOn) {
  auto spec = ReadFilter(Request(kStock, "sshd"));
  ASSERT_TRUE(spec);
  // failregex = %(cmnfailre)s      <- line 108, expands to 21 regexes
  //             <mdre-<mode>>      <- line 109, empty in mode normal
  //             %(cfooterre)s      <- line 110
  EXPECT_EQ(spec->failregex.front().file, kStock + "/filter.d/sshd.conf");
  EXPECT_EQ(spec->failregex.front().line, 108);
  EXPECT_EQ(spec->failregex.back().line, 110);
  EXPECT_EQ(spec->failregex.back().text, "^<F-NOFAIL>Connection from</F-NOFAIL> <HOST>");
  auto zzz = ReadFilter(Request(kTests, "zzz-generic-example"));
  ASSERT_TRUE(zzz);
  ASSERT_EQ(zzz->ignoreregex.size(), 2u);
  EXPECT_EQ(zzz->ignoreregex[1].line, zzz->ignoreregex[0].line + 1);
}

TEST(FilterReaderTest, ResolvesTheLogtypePrefixThroughNestedTags) {
  auto file = ReadFilter(Request(kStock, "sshd"));
  FilterRequest journal_request = Request(kStock, "sshd");
  journal_request.backend = "systemd";
  auto journal = ReadFilter(journal_request);
  ASSERT_TRUE(file && journal);
  EXPECT_EQ(file->combined.Find("logtype"), nullptr);
  EXPECT_EQ(*journal->combined.Find("logtype"), "journal");
  EXPECT_EQ(journal->prefregex->text,
            "^<F-MLFID>\\s*(?:\\S+\\s+)?(?:sshd(?:\\[\\d+\\])?:?\\s+)?(?:kernel:\\s?\\[ *\\d+\\.\\d+\\]:?\\s+)?"
            "</F-MLFID>(?:(?:error|fatal): (?:PAM: )?)?<F-CONTENT>.+</F-CONTENT>$");
  FilterRequest polling = Request(kStock, "sshd");
  polling.backend = "polling";
  auto polled = ReadFilter(polling);
  ASSERT_TRUE(polled);
  EXPECT_EQ(*polled->combined.Find("logtype"), "file");
  EXPECT_EQ(polled->prefregex->text, file->prefregex->text);
}

TEST(FilterReaderTest, LetsALocalFileAppendToKnownFailregex) {
  TempConfig tmp;
  tmp.Write("filter.d/common.conf", "[DEFAULT]\n__prefix = pre\n");
  tmp.Write("filter.d/app.conf", "[INCLUDES]\nbefore = common.conf\n[Definition]\n"
                                 "failregex = ^%(__prefix)s conf <HOST>$\n");
  std::string local = tmp.Write("filter.d/app.local",
                                "[Definition]\nfailregex = %(known/failregex)s\n  ^local <HOST>\n");
  auto spec = ReadFilter(Request(tmp.dir(), "app"));
  ASSERT_TRUE(spec) << spec.error().ToString();
  ASSERT_EQ(spec->failregex.size(), 2u);
  EXPECT_EQ(spec->failregex[0].text, "^pre conf <HOST>$");
  EXPECT_EQ(spec->failregex[1].text, "^local <HOST>");
  EXPECT_EQ(spec->failregex[1].file, local);
  EXPECT_EQ(spec->failregex[1].line, 3);
}

// fail2ban's own test filter pair test.conf + test.local (values checked with its FilterReader).
TEST(FilterReaderTest, ReadsFail2bansTestFilterWithInitOptions) {
  OptionMap options;
  options.Set("two", "2");
  auto spec = ReadFilter(Request(kTests, "test", options));
  ASSERT_TRUE(spec) << spec.error().ToString();
  ASSERT_FALSE(spec->failregex.empty());
  EXPECT_EQ(spec->failregex.back().text, "failure test 2 (filter.d/test.local) <HOST>");
  EXPECT_EQ(*spec->combined.Find("known/three"), "3");
}

TEST(FilterReaderTest, LeavesOptionsTheJailSetsToTheJail) {
  FilterRequest request = Request(kStock, "sshd");
  request.jail_options.Set("failregex", "^jail <HOST>");
  request.jail_options.Set("mode", "aggressive");
  auto spec = ReadFilter(request);
  ASSERT_TRUE(spec);
  EXPECT_TRUE(spec->failregex.empty());
  EXPECT_EQ(Keys(spec->combined), "prefregex ignoreregex maxlines datepattern journalmatch");
}

TEST(FilterReaderTest, ReadsEveryDefinitionOptionWhenAsked) {
  FilterRequest request = Request(kStock, "sshd");
  request.all_definition_options = true;
  auto spec = ReadFilter(request);
  ASSERT_TRUE(spec);
  ASSERT_NE(spec->combined.Find("cfooterre"), nullptr);
  EXPECT_EQ(*spec->combined.Find("cfooterre"), "^<F-NOFAIL>Connection from</F-NOFAIL> <HOST>");
}

TEST(FilterReaderTest, ReadsAForeignFilterFile) {
  FilterRequest request;
  request.file = kTests + "/filter.d/zzz-generic-example.conf";
  auto spec = ReadFilter(request);
  ASSERT_TRUE(spec) << spec.error().ToString();
  EXPECT_EQ(spec->name, "zzz-generic-example");
  EXPECT_EQ(spec->failregex.size(), 2u);
  EXPECT_EQ(spec->datepattern->substr(0, 24), "{^LN-BEG}%ExY(?P<_sep>[-");
}

struct BadFilter {
  const char* text;
  int line;
  const char* error;  // after "<file>:<line>: "
};

TEST(FilterReaderTest, ReportsBadFiltersWithFileAndLine) {
  const BadFilter rows[] = {
      {"[Definition]\nfailregex = ^a\nmaxlines = two\n", 3, "maxlines must be an integer: two"},
      {"[Definition]\nfailregex = <a>\na = x<b>\nb = <a>\n", 2,
       "properties contain self referencing definitions and cannot be resolved, fail tag: failregex, "
       "found: a: xxxxxxxxxxxxxxxxxxxxxxxxxx<a>"},
      {"[Definition]\nx = %(y)s\ny = %(x)s\nfailregex = %(x)s\n", 4,
       "option 'failregex' in section 'Definition' cannot be substituted in 10 steps (a %(..)s loop?)"},
      {"[Definition]\nfailregex = ^a\njunk line\n", 3, "expected 'name = value' or '[section]': junk line"},
      {"[Definition]\nfailregex = 100%\n", 2,
       "'%' must be followed by '%' or '(' in option 'failregex' in section 'Definition': %"},
  };
  for (const BadFilter& row : rows) {
    TempConfig tmp;
    std::string path = tmp.Write("filter.d/bad.conf", row.text);
    auto spec = ReadFilter(Request(tmp.dir(), "bad"));
    ASSERT_FALSE(spec) << row.text;
    EXPECT_EQ(spec.error().ToString(), path + ":" + std::to_string(row.line) + ": " + row.error);
  }
}

TEST(FilterReaderTest, ReportsAMissingFilterAndIgnoresAMissingInclude) {
  TempConfig tmp;
  auto missing = ReadFilter(Request(tmp.dir(), "nope"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().ToString(),
            "Found no accessible config files for 'filter.d/nope' under " + tmp.dir());
  tmp.Write("filter.d/inc.conf", "[INCLUDES]\nbefore = gone.conf\n[Definition]\nfailregex = ^x <HOST>\n");
  auto spec = ReadFilter(Request(tmp.dir(), "inc"));
  ASSERT_TRUE(spec);
  EXPECT_EQ(spec->files.size(), 1u);
  EXPECT_EQ(spec->failregex.size(), 1u);
}

TEST(FilterReaderTest, SharesParsedFilesThroughACache) {
  FileCache cache;
  FilterRequest request = Request(kStock, "sshd");
  request.cache = &cache;
  auto first = ReadFilter(request);
  request.name = "postfix";
  auto second = ReadFilter(request);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(second->files.front(), kStock + "/filter.d/common.conf");
}

}  // namespace
}  // namespace portcullis::config
