// Large files and end-to-end latency: a LogFile fed by the inotify source.

#include <sys/resource.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

#include "portcullis/log/log_file.h"
#include "portcullis/log/log_source.h"
#include "temp_dir.h"

namespace portcullis::log {
namespace {

using namespace std::chrono_literals;

long PeakRssKiB() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

TEST(BigFileTest, ReadsA100MegabyteFileInBoundedMemory) {
  testing::TempDir dir;
  std::string line = "2024-01-01 12:00:00 sshd[123]: Failed password for root from 192.0.2.1 port 22 ssh2 xxxxx\n";
  std::string chunk;
  while (chunk.size() < (1 << 20)) chunk += line;
  dir.Write("big.log", "");
  for (int i = 0; i < 100; ++i) dir.Append("big.log", chunk);
  size_t expected_lines = 100 * (chunk.size() / line.size());

  FakeClock clock(1124013600);
  long before = PeakRssKiB();
  auto file = LogFile::Open(dir.Path("big.log"), {}, clock);
  ASSERT_TRUE(file);
  size_t lines = 0, bytes = 0;
  auto read = file->ReadLines([&](std::string_view l) {
    ++lines;
    bytes += l.size();
    return true;
  });
  ASSERT_TRUE(read);
  EXPECT_EQ(lines, expected_lines);
  EXPECT_EQ(read->lines, expected_lines);
  EXPECT_EQ(bytes, expected_lines * (line.size() - 1));
  EXPECT_EQ(file->position().offset, 100 * chunk.size());
  EXPECT_LT(PeakRssKiB() - before, 8 * 1024) << "reading must not hold the file in memory";
}

TEST(BigFileTest, InotifyDeliversAnAppendedLineWellUnder50Milliseconds) {
  testing::TempDir dir;
  std::string path = dir.Write("a.log", "start\n");
  FakeClock clock(1124013600);
  auto file = LogFile::Open(path, {.tail = true}, clock);
  ASSERT_TRUE(file);
  auto source = MakeInotifySource();
  ASSERT_TRUE(source);
  ASSERT_TRUE((*source)->Add(path));
  std::vector<LogEvent> events;
  ASSERT_TRUE((*source)->Wait(0ms, events));  // the initial kChanged

  std::vector<double> latencies;
  for (int i = 0; i < 21; ++i) {
    auto written = std::chrono::steady_clock::now();
    dir.Append("a.log", "line " + std::to_string(i) + "\n");
    std::string got;
    auto deadline = written + 5s;
    while (got.empty() && std::chrono::steady_clock::now() < deadline) {
      events.clear();
      ASSERT_TRUE((*source)->Wait(1s, events));
      ASSERT_TRUE(file->ReadLines([&](std::string_view line) {
        got = line;
        return true;
      }));
    }
    EXPECT_EQ(got, "line " + std::to_string(i));
    latencies.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - written).count());
  }
  std::nth_element(latencies.begin(), latencies.begin() + 10, latencies.end());
  EXPECT_LT(latencies[10], 50.0) << "median line-to-reader latency in ms";
}

}  // namespace
}  // namespace portcullis::log
