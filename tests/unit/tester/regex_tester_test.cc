#include "portcullis/tester/regex_tester.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <sstream>

namespace portcullis::tester {
namespace {

const char kStr00[] = "Dec 31 11:59:59 [sshd] error: PAM: Authentication failure for kevin from 192.0.2.0";

class RegexTesterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("TZ", "CET-01CEST-02,M3.5.0,M10.5.0", 1);
    tzset();
  }

  // Runs with `options` on literal arguments only (no file is ever found).
  int Run(Options options, std::vector<std::string> args) {
    RegexTester tester(std::move(options), clock_, nullptr,
                       FileSystemView{[](const std::string&) { return false; }, "/"});
    out_.str("");
    err_.str("");
    return tester.Run(args, out_, err_);
  }

  // The output with the timing line masked.
  std::string Out() const {
    std::string s = out_.str();
    size_t pos = s.find("[processed in ");
    if (pos != std::string::npos) s.replace(pos, s.find('\n', pos) - pos, "[processed]");
    return s;
  }

  FakeClock clock_{1124013600};
  std::ostringstream out_, err_;
};

TEST_F(RegexTesterTest, PrintsTheReportOfALiteralRun) {
  EXPECT_EQ(Run({}, {kStr00, "Authentication failure for .*? from <HOST>$"}), 0);
  EXPECT_EQ(Out(),
            "\nRunning tests\n=============\n\n"
            "Use   failregex line : Authentication failure for .*? from <HOST>$\n"
            "Use      single line : Dec 31 11:59:59 [sshd] error: PAM: Authentication ...\n"
            "\n\nResults\n=======\n"
            "\nFailregex: 1 total\n"
            "|-  #) [# of hits] regular expression\n"
            "|   1) [1] Authentication failure for .*? from <HOST>$\n"
            "`-\n"
            "\nIgnoreregex: 0 total\n"
            "\nDate template hits:\n"
            "|- [# of hits] date format\n"
            "|  [1] {^LN-BEG}(?:DAY )?MON Day %k:Minute:Second(?:\\.Microseconds)?(?: ExYear)?\n"
            "`-\n"
            "\nLines: 1 lines, 0 ignored, 1 matched, 0 missed\n"
            "[processed]\n\n");
}

TEST_F(RegexTesterTest, CountsIgnoredAndMissedLines) {
  Options all_ignored;
  all_ignored.print_all_ignored = true;
  Run(all_ignored, {kStr00, "Authentication failure for .*? from <HOST>$", "kevin from 192.0.2.0$"});
  EXPECT_NE(Out().find("Lines: 1 lines, 1 ignored, 0 matched, 0 missed"), std::string::npos);
  EXPECT_NE(Out().find("|- Ignored line(s):\n|  " + std::string(kStr00) + "\n`-"), std::string::npos);
  Run({}, {kStr00, "XYZ from <HOST>$"});
  EXPECT_NE(Out().find("Lines: 1 lines, 0 ignored, 0 matched, 1 missed"), std::string::npos);
  EXPECT_NE(Out().find("|- Missed line(s):\n|  " + std::string(kStr00) + "\n`-"), std::string::npos);
}

TEST_F(RegexTesterTest, MovesLinesAMultiLineHitConsumedToMatched) {
  Options options;
  options.usedns = "no";
  options.datepattern = "^Epoch";
  options.print_all_matched = true;
  options.maxlines = 5;
  Run(options, {"1490349000 FAIL\n1490349000 TEST1\n1490349001 TEST2\n1490349001 HOST 192.0.2.34",
                R"(^\s*FAIL\s*$<SKIPLINES>^\s*HOST <HOST>\s*$)"});
  EXPECT_NE(Out().find("Lines: 4 lines, 0 ignored, 2 matched, 2 missed"), std::string::npos) << Out();
  EXPECT_NE(Out().find("|- Matched line(s):\n|  1490349000 FAIL\n|  1490349001 HOST 192.0.2.34\n`-"),
            std::string::npos)
      << Out();
}

TEST_F(RegexTesterTest, OutFormatPrintsOnlyFailures) {
  Options options;
  options.out = "id";
  EXPECT_EQ(Run(options, {kStr00, "Authentication failure for <F-ID>.*?</F-ID> from <ADDR>$"}), 0);
  EXPECT_EQ(out_.str(), "kevin\n");
}

TEST_F(RegexTesterTest, ReportsErrorsAndFails) {
  EXPECT_EQ(Run({}, {"test", ".** from <HOST>$"}), kExitError);
  EXPECT_NE(out_.str().find("ERROR: Unable to compile regular expression"), std::string::npos) << out_.str();
  EXPECT_EQ(Run({}, {kStr00, "Authentication failure"}), kExitError);
  EXPECT_NE(out_.str().find("ERROR: No failure-id group in 'Authentication failure'"), std::string::npos);
  Options bad_date;
  bad_date.datepattern = "%:%.%-";
  EXPECT_EQ(Run(bad_date, {"test", "<HOST>"}), kExitError);
  EXPECT_NE(out_.str().find("ERROR: Failed to set datepattern '%:%.%-'"), std::string::npos);
  EXPECT_EQ(Run({}, {"systemd-journal", "<HOST>"}), kExitError);
  EXPECT_NE(err_.str().find("systemd-journal is not supported in this build"), std::string::npos);
}

}  // namespace
}  // namespace portcullis::tester

namespace portcullis::tester {
namespace {

// A log file read in chunks on several threads gives the report of a single pass:
// counts, listed lines with their limits, date template hits. And when a chunk's
// start cannot be shown to continue the one before (a line whose date only a search
// over all templates finds), the rest is read again in one pass.
TEST_F(RegexTesterTest, ASplitRunReportsWhatASinglePassReports) {
  const std::string path = ::testing::TempDir() + "/split.log";
  auto write_log = [&](bool odd_date_in_middle) {
    FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    for (int i = 0; i < 6000; ++i) {
      if (odd_date_in_middle && i == 4500) {
        std::fprintf(f, "2005-08-14 10:00:00 host sshd[1]: Failed password for root from 192.0.2.77\n");
        continue;
      }
      const int s = i / 3;
      std::fprintf(f, "Aug 14 %02d:%02d:%02d host sshd[%d]: %s from 192.0.2.%d\n", 8 + s / 3600, s / 60 % 60, s % 60,
                   s, i % 7 == 0 ? "Failed password for root" : i % 11 == 0 ? "Connection closed" : "Accepted key",
                   i % 250);
    }
    std::fclose(f);
  };
  const std::vector<std::vector<std::string>> runs = {
      {path, "Failed password for \\S+ from <HOST>$", "192\\.0\\.2\\.1\\d\\d$"},
      // An mlfid cache (a connection per pid, three lines each, some across a chunk's
      // start; the cache of 100 evicts): each chunk's cache uses replayed on the cache
      // the chunk before it left.
      {path, "^ host <F-MLFID>sshd\\[\\d+\\]:</F-MLFID> (?:Failed password for \\S+|Connection closed) from <HOST>$"},
  };
  for (const auto& args : runs) {
    for (bool odd : {false, true}) {
      write_log(odd);
      for (const char* print : {"", "missed", "matched"}) {
        Options single;
        single.threads = 1;
        single.print_all_missed = std::string(print) == "missed";
        single.print_all_matched = std::string(print) == "matched";
        RegexTester one(single, clock_, nullptr, FileSystemView::Real());
        std::ostringstream expected, ignored;
        ASSERT_EQ(one.Run(args, expected, ignored), 0);
        EXPECT_EQ(one.segments(), 1u);
        for (unsigned threads : {2u, 3u}) {
          for (bool fixed : {true, false}) {
            Options split = single;
            split.threads = threads;
            split.split_min_bytes = 1;
            split.split_first_chunk_only = fixed;
            RegexTester many(split, clock_, nullptr, FileSystemView::Real());
            std::ostringstream got;
            ASSERT_EQ(many.Run(args, got, ignored), 0);
            auto mask = [](std::string s) {
              size_t pos = s.find("[processed in ");
              if (pos != std::string::npos) s.replace(pos, s.find('\n', pos) - pos, "[processed]");
              return s;
            };
            EXPECT_EQ(mask(got.str()), mask(expected.str())) << threads << " threads, odd date " << odd;
            if (!fixed) continue;  // how many chunks each thread read depends on scheduling
            // Eight chunks a thread, all but the first read by helpers and checked in order;
            // the odd date falls in a helper's chunk: from there the rest is read again.
            EXPECT_EQ(many.segments(), odd ? 1u : 8u * threads) << threads << " threads " << args[1];
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace portcullis::tester
