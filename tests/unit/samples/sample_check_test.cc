#include "portcullis/samples/sample_check.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "../../../src/samples/condition.h"

namespace portcullis::samples {
namespace {

namespace fs = std::filesystem;

constexpr double kTestNow = 1124013600;

// A config folder with filter.d/ and a samples/ folder in a fresh temporary directory.
class SampleCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("TZ", "CET-01CEST-02,M3.5.0,M10.5.0", 1);
    tzset();
    char tmpl[] = "/tmp/portcullis-samples-XXXXXX";
    dir_ = mkdtemp(tmpl);
    fs::create_directories(dir_ + "/filter.d");
    fs::create_directories(dir_ + "/samples");
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& relative, const std::string& text) {
    std::string path = dir_ + "/" + relative;
    std::ofstream(path) << text;
    return path;
  }

  SampleReport Check(const std::string& sample) {
    return CheckSample(sample, SampleOptions{{dir_}, &clock_});
  }

  std::string dir_;
  FakeClock clock_{kTestNow};
};

constexpr const char* kFilter =
    "[Definition]\n"
    "failregex = ^\\s*\\S+ demo\\[\\d+\\]: failure for <F-USER>\\S+</F-USER> from <HOST>$\n"
    "            ^\\s*\\S+ demo\\[\\d+\\]: bad (?:thing|stuff) from <HOST>$\n";

TEST_F(SampleCheckTest, PassesWhenEveryAnnotationHolds) {
  Write("filter.d/demo.conf", kFilter);
  std::string sample = Write("samples/demo",
      "# failJSON: { \"time\": \"2005-08-14T11:00:00\", \"match\": true, \"host\": \"192.0.2.1\", \"user\": \"bob\" }\n"
      "Aug 14 11:00:00 srv demo[1]: failure for bob from 192.0.2.1\n"
      "# failJSON: { \"time\": \"2005-08-14T11:00:01\", \"match\": true, \"host\": \"2001:db8::1\" }\n"
      "Aug 14 11:00:01 srv demo[1]: bad thing from 2001:DB8::1\n"
      "\n"
      "Aug 14 11:00:02 srv demo[1]: all is well\n");
  SampleReport r = Check(sample);
  EXPECT_TRUE(r.ok()) << (r.failures.empty() ? "" : r.failures[0].message);
  EXPECT_EQ(r.checks, 3);
  EXPECT_EQ(r.failed, 0);
}

TEST_F(SampleCheckTest, ReportsEachFailedCheckWithFileLineExpectedAndGot) {
  Write("filter.d/demo.conf", kFilter);
  std::string sample = Write("samples/demo",
      "# failJSON: { \"time\": \"2005-08-14T11:00:00\", \"match\": true, \"host\": \"192.0.2.9\" }\n"
      "Aug 14 11:00:00 srv demo[1]: failure for bob from 192.0.2.1\n"
      "Aug 14 11:00:01 srv demo[1]: bad stuff from 192.0.2.2\n"
      "# failJSON: { \"match\": true }\n"
      "Aug 14 11:00:02 srv demo[1]: nothing here\n");
  SampleReport r = Check(sample);
  EXPECT_EQ(r.checks, 3);
  EXPECT_EQ(r.failed, 3);
  ASSERT_EQ(r.failures.size(), 3u);
  EXPECT_EQ(r.failures[0].file, sample);
  EXPECT_EQ(r.failures[0].line, 2);
  EXPECT_EQ(r.failures[0].message, "expected host \"192.0.2.9\", got 192.0.2.1 (failregex 0)");
  EXPECT_EQ(r.failures[1].line, 3);
  EXPECT_EQ(r.failures[1].message, "expected no match, got 192.0.2.2 (failregex 1)");
  EXPECT_EQ(r.failures[2].line, 5);
  EXPECT_EQ(r.failures[2].message, "expected a match, got none");
}

TEST_F(SampleCheckTest, NamesFileAndLineOfBrokenJson) {
  Write("filter.d/demo.conf", kFilter);
  std::string sample = Write("samples/demo",
      "Aug 14 11:00:02 srv demo[1]: all is well\n"
      "# failJSON: { \"match\" true }\n"
      "Aug 14 11:00:00 srv demo[1]: failure for bob from 192.0.2.1\n");
  SampleReport r = Check(sample);
  ASSERT_FALSE(r.failures.empty());
  EXPECT_EQ(r.failures[0].file, sample);
  EXPECT_EQ(r.failures[0].line, 2);
  EXPECT_EQ(r.failures[0].message, "invalid JSON at column 23: expected ':'");
  EXPECT_FALSE(r.ok());
}

TEST_F(SampleCheckTest, RequiresEveryFailregexToHaveASample) {
  Write("filter.d/demo.conf", kFilter);
  std::string sample = Write("samples/demo",
      "# failJSON: { \"match\": true, \"host\": \"192.0.2.1\" }\n"
      "Aug 14 11:00:00 srv demo[1]: failure for bob from 192.0.2.1\n");
  SampleReport r = Check(sample);
  EXPECT_EQ(r.failed, 0);
  ASSERT_EQ(r.failures.size(), 1u);
  EXPECT_EQ(r.failures[0].line, 0);
  EXPECT_EQ(r.failures[0].message.rfind("failregex 1 has no samples: ", 0), 0u) << r.failures[0].message;
}

TEST_F(SampleCheckTest, RunsEachLineOncePerFilterOptionSet) {
  Write("filter.d/modes.conf",
        "[Init]\nmode = normal\n"
        "[Definition]\n"
        "re-normal = ^\\s*\\S+ m\\[\\d+\\]: fail from <HOST>$\n"
        "re-extra = %(re-normal)s\n            ^\\s*\\S+ m\\[\\d+\\]: odd from <HOST>$\n"
        "failregex = <re-<mode>>\n");
  std::string sample = Write("samples/modes",
      "# filterOptions: [{}, {\"mode\": \"extra\"}]\n"
      "# failJSON: { \"match\": true, \"host\": \"192.0.2.1\" }\n"
      "Aug 14 11:00:00 srv m[1]: fail from 192.0.2.1\n"
      "# failJSON: { \"constraint\": \"opts.get('mode') == 'extra'\", \"match\": true, \"host\": \"192.0.2.2\" }\n"
      "Aug 14 11:00:00 srv m[1]: odd from 192.0.2.2\n"
      "# filterOptions: {\"test.condition\": \"name == 'other'\"}\n"
      "Aug 14 11:00:00 srv m[1]: odd from 192.0.2.3\n");
  SampleReport r = Check(sample);
  EXPECT_TRUE(r.ok()) << (r.failures.empty() ? "" : r.failures[0].message);
  EXPECT_EQ(r.checks, 3) << "2 option sets x line 1, the constrained line once, the skipped block never";
}

TEST_F(SampleCheckTest, SkipsASampleWithoutAFilter) {
  std::string sample = Write("samples/nofilter", "Aug 14 11:00:00 x\n");
  SampleReport r = Check(sample);
  EXPECT_TRUE(r.skipped);
  EXPECT_EQ(r.checks, 0);
}

TEST_F(SampleCheckTest, RejectsAGreedyCatchAllBeforeHost) {
  Write("filter.d/greedy.conf", "[Definition]\nfailregex = ^.* from <HOST> port \\d+\n");
  std::string sample = Write("samples/greedy",
      "# failJSON: { \"match\": true, \"host\": \"192.0.2.1\" }\n"
      "Aug 14 11:00:00 x from 192.0.2.1 port 22\n");
  SampleReport r = Check(sample);
  ASSERT_EQ(r.failures.size(), 1u);
  EXPECT_EQ(r.failures[0].message,
            "failregex 0 has a greedy catch-all before <HOST> that is not hard-anchored at the end");
}

TEST_F(SampleCheckTest, ReportsAFilterThatDoesNotLoad) {
  std::string filter = Write("filter.d/broken.conf", "[Definition]\nfailregex = ^(open <HOST>\n");
  std::string sample = Write("samples/broken", "Aug 14 11:00:00 x\n");
  SampleReport r = Check(sample);
  EXPECT_EQ(r.checks, 1);
  EXPECT_EQ(r.failed, 1);
  ASSERT_FALSE(r.failures.empty());
  EXPECT_EQ(r.failures[0].message.rfind(filter + ":2: Unable to compile regular expression", 0), 0u)
      << r.failures[0].message;
}

TEST(ConditionTest, EvaluatesTheExpressionsSamplesUse) {
  config::OptionMap aggressive;
  aggressive.Set("mode", "aggressive");
  struct Case { const char* expr; const config::OptionMap* opts; bool expected; };
  config::OptionMap none;
  const Case cases[] = {
      {"name == 'sshd'", &none, true},
      {"name=='other'", &none, false},
      {"opts.get('mode') != 'aggressive'", &aggressive, false},
      {"opts.get('mode') == 'aggressive'", &aggressive, true},
      {"opts.get('mode') == 'aggressive'", &none, false},
      {"not (name == 'x') and opts.get(\"mode\") == 'aggressive'", &aggressive, true},
      {"name == 'x' or name == 'sshd'", &none, true},
  };
  for (const Case& c : cases) {
    auto got = EvaluateCondition(c.expr, "sshd", *c.opts);
    ASSERT_TRUE(got) << c.expr << ": " << got.error().ToString();
    EXPECT_EQ(*got, c.expected) << c.expr;
  }
  auto bad = EvaluateCondition("__import__('os')", "sshd", none);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().ToString(), "unsupported condition: __import__('os')");
}

}  // namespace
}  // namespace portcullis::samples
