#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "portcullis/store/ban_store.h"
#include "store_fixture.h"

namespace portcullis::store {
namespace {

using testing::kTestNow;
using testing::StoreTest;
using testing::TicketData;

std::string IpOf(int i) {
  return "10." + std::to_string(i >> 16) + "." + std::to_string((i >> 8) & 255) + "." + std::to_string(i & 255);
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// A storm: 300,000 bans in batches of 10,000, then a restart that restores them all.
// Correctness only; the times go to the test log (tools/bench/store_bench.cc measures).
TEST_F(StoreTest, ThreeHundredThousandBansRoundTripInBatches) {
  constexpr int kBans = 300000;
  constexpr int kBatch = 10000;
  std::string path = Path("storm.sqlite3");
  json::Value data = TicketData({"Aug 14 11:59:59 host sshd[1]: Failed password for root from 10.0.0.1"}, 3);
  auto start = std::chrono::steady_clock::now();
  {
    BanStore store = OpenStore(path);
    ASSERT_TRUE(store.AddJail("sshd"));
    std::vector<std::string> ips;
    std::vector<NewBan> batch;
    for (int first = 0; first < kBans; first += kBatch) {
      ips.clear();
      batch.clear();
      for (int i = first; i < first + kBatch; ++i) ips.push_back(IpOf(i));
      for (int i = first; i < first + kBatch; ++i) {
        batch.push_back({.jail = "sshd", .ip = ips[i - first], .time = kTestNow - (i % 500), .bantime = 600,
                         .bancount = 1 + i % 3, .data = &data});
      }
      auto added = store.AddBans(batch);
      ASSERT_TRUE(added) << added.error().ToString();
    }
  }
  double write = Seconds(start);
  start = std::chrono::steady_clock::now();
  BanStore store = OpenStore(path);
  double open = Seconds(start);
  start = std::chrono::steady_clock::now();
  int64_t rows = 0, counts = 0;
  std::string previous;
  bool ordered = true;
  auto restored = store.ForEachCurrentBan({.jail = "sshd", .forbantime = 600}, [&](const StoredBan& ban) {
    ++rows;
    counts += ban.bancount;
    if (ban.ip <= previous) ordered = false;
    previous.assign(ban.ip);
  });
  double read = Seconds(start);
  ASSERT_TRUE(restored) << restored.error().ToString();
  EXPECT_EQ(*restored, kBans);
  EXPECT_EQ(rows, kBans);
  EXPECT_EQ(counts, kBans / 3 * (1 + 2 + 3));
  EXPECT_TRUE(ordered);
  auto one = store.CurrentBans({.jail = "sshd", .ip = IpOf(123457)});
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].time_of_ban, kTestNow - 123457 % 500);
  EXPECT_EQ((*one)[0].data, R"({"matches": ["Aug 14 11:59:59 host sshd[1]: Failed password for root from 10.0.0.1"], )"
                            R"("failures": 3})");
  std::printf("[ store    ] 300,000 bans: written in %.2f s (30 batches), reopened in %.2f s, restored in %.2f s\n",
              write, open, read);
}

}  // namespace
}  // namespace portcullis::store
