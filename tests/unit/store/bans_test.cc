#include <gtest/gtest.h>

#include "portcullis/store/ban_store.h"
#include "store_fixture.h"

namespace portcullis::store {
namespace {

using testing::kTestNow;
using testing::Rows;
using testing::StoreTest;
using testing::TicketData;

std::vector<std::string> Ips(const Result<std::vector<StoredBanCopy>>& bans) {
  std::vector<std::string> ips;
  if (!bans) return {"error: " + bans.error().ToString()};
  for (const auto& ban : *bans) ips.push_back(ban.ip);
  return ips;
}

class BansTest : public StoreTest {
 protected:
  BansTest() : store_(OpenStore(Path("db"))) {
    EXPECT_TRUE(store_.AddJail("sshd"));
    EXPECT_TRUE(store_.AddJail("apache"));
  }

  void Ban(std::string_view jail, std::string_view ip, double time, double bantime, int64_t count = 1) {
    ASSERT_TRUE(store_.AddBan({.jail = jail, .ip = ip, .time = time, .bantime = bantime, .bancount = count}));
  }

  BanStore store_;
};

TEST_F(BansTest, AddBanWritesTheHistoryRowAndTheIpsRowAsFail2banDoes) {
  json::Value data = TicketData({"line 1", "line 2"}, 2);
  ASSERT_TRUE(store_.AddBan(
      {.jail = "sshd", .ip = "192.0.2.1", .time = kTestNow + 0.5, .bantime = 1200, .bancount = 2, .data = &data}));
  // int(round(t)) rounds a half to even; data is a BLOB of json.dumps text.
  const std::string row = "sshd|192.0.2.1|1124013600|1200|2|blob|{\"matches\": [\"line 1\", \"line 2\"], \"failures\": 2}";
  EXPECT_EQ(Rows(Path("db"), "SELECT jail, ip, timeofban, bantime, bancount, typeof(data), data FROM bans"),
            std::vector<std::string>{row});
  EXPECT_EQ(Rows(Path("db"), "SELECT jail, ip, timeofban, bantime, bancount, typeof(data), data FROM bips"),
            std::vector<std::string>{row});
}

TEST_F(BansTest, ANewBanReplacesTheIpsRowAndAddsToTheHistory) {
  Ban("sshd", "192.0.2.1", kTestNow - 1000, 600, 1);
  Ban("sshd", "192.0.2.1", kTestNow + 1.5, 1200, 2);
  EXPECT_EQ(Rows(Path("db"), "SELECT timeofban, bantime, bancount FROM bips"),
            std::vector<std::string>{"1124013602|1200|2"});
  EXPECT_EQ(Rows(Path("db"), "SELECT timeofban, bancount FROM bans ORDER BY timeofban"),
            (std::vector<std::string>{"1124012600|1", "1124013602|2"}));
}

TEST_F(BansTest, DbMaxMatchesTrimsTheStoredMatches) {
  store_.set_max_matches(2);
  json::Value data = TicketData({"a", "b", "c"}, 3);
  ASSERT_TRUE(store_.AddBan({.jail = "sshd", .ip = "192.0.2.1", .time = kTestNow, .bantime = 600, .data = &data}));
  auto bans = store_.CurrentBans({.jail = "sshd"});
  ASSERT_EQ(bans->size(), 1u);
  EXPECT_EQ((*bans)[0].data, R"({"matches": ["b", "c"], "failures": 3})");
}

TEST_F(BansTest, ABanInAJailNeverAddedIsAnErrorAndTheBatchLeavesNothingBehind) {
  std::vector<NewBan> bans = {
      {.jail = "sshd", .ip = "192.0.2.1", .time = kTestNow, .bantime = 600},
      {.jail = "nojail", .ip = "192.0.2.2", .time = kTestNow, .bantime = 600},
  };
  auto added = store_.AddBans(bans);
  ASSERT_FALSE(added);
  EXPECT_EQ(added.error().ToString(),
            Path("db") + ": cannot add ban of 192.0.2.2 in jail 'nojail': FOREIGN KEY constraint failed");
  EXPECT_EQ(Rows(Path("db"), "SELECT count(*) FROM bans"), std::vector<std::string>{"0"});
  EXPECT_EQ(Rows(Path("db"), "SELECT count(*) FROM bips"), std::vector<std::string>{"0"});
  ASSERT_TRUE(store_.AddBans(std::span(bans).first(1)));
  EXPECT_EQ(Rows(Path("db"), "SELECT count(*) FROM bips"), std::vector<std::string>{"1"});
}

TEST_F(BansTest, DeleteBansRemovesOnlyThoseIpsOfThatJail) {
  Ban("sshd", "192.0.2.1", kTestNow, 600);
  Ban("sshd", "192.0.2.2", kTestNow, 600);
  Ban("apache", "192.0.2.1", kTestNow, 600);
  std::vector<std::string_view> ips = {"192.0.2.1", "198.51.100.9"};
  EXPECT_EQ(*store_.DeleteBans("sshd", ips), 1);
  EXPECT_EQ(Rows(Path("db"), "SELECT jail, ip FROM bips ORDER BY jail, ip"),
            (std::vector<std::string>{"apache|192.0.2.1", "sshd|192.0.2.2"}));
  EXPECT_EQ(Rows(Path("db"), "SELECT jail, ip FROM bans ORDER BY jail, ip"),
            (std::vector<std::string>{"apache|192.0.2.1", "sshd|192.0.2.2"}));
  EXPECT_EQ(*store_.DeleteAllBans("sshd"), 1);
  EXPECT_EQ(Rows(Path("db"), "SELECT jail, ip FROM bans"), std::vector<std::string>{"apache|192.0.2.1"});
}

// getCurrentBans' query at now = TEST_NOW for a jail with bantime 600: restoreCurrentBans
// passes forbantime = 600 without bantime.increment, none with it (and -1 is "none").
TEST_F(BansTest, CurrentBansFollowFail2bansConditions) {
  struct Row { const char* ip; double age; double bantime; };
  const Row rows[] = {
      {"a.active", 100, 600},         // ends in 500 s
      {"b.expired", 700, 600},        // ended 100 s ago
      {"c.permanent", 100000, -1},
      {"d.long", 1000, 3600},         // still running, but began more than 600 s ago
      {"e.unknown", 100, -2},         // migrated from version < 3
      {"f.unknown.old", 50000, -2},
      {"g.ends.now", 600, 600},       // timeofban + bantime == now: over
      {"h.ends.soon", 599, 600},
  };
  for (const Row& row : rows) Ban("sshd", row.ip, kTestNow - row.age, row.bantime);
  Ban("apache", "z.other.jail", kTestNow, 600);

  struct Case { std::optional<double> forbantime; std::vector<std::string> ips; };
  const Case cases[] = {
      {std::nullopt, {"a.active", "c.permanent", "d.long", "e.unknown", "f.unknown.old", "h.ends.soon"}},
      {-1, {"a.active", "c.permanent", "d.long", "e.unknown", "f.unknown.old", "h.ends.soon"}},
      {600, {"a.active", "e.unknown", "h.ends.soon"}},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Ips(store_.CurrentBans({.jail = "sshd", .forbantime = c.forbantime})), c.ips)
        << "forbantime " << c.forbantime.value_or(0);
  }
  // fromtime moves "now".
  EXPECT_EQ(Ips(store_.CurrentBans({.jail = "sshd", .forbantime = 600, .fromtime = kTestNow - 200})),
            (std::vector<std::string>{"a.active", "b.expired", "e.unknown", "g.ends.now", "h.ends.soon"}));
  EXPECT_EQ(Ips(store_.CurrentBans({.jail = "sshd", .ip = "c.permanent"})), std::vector<std::string>{"c.permanent"});
}

TEST_F(BansTest, CurrentBansOfAllJailsGiveTheLatestBanOfEachIp) {
  Ban("sshd", "192.0.2.1", kTestNow - 100, 600, 1);
  Ban("apache", "192.0.2.1", kTestNow - 50, 3600, 3);
  Ban("apache", "192.0.2.2", kTestNow - 50, 3600, 1);
  auto bans = store_.CurrentBans({});
  ASSERT_TRUE(bans);
  ASSERT_EQ(Ips(bans), (std::vector<std::string>{"192.0.2.1", "192.0.2.2"}));
  EXPECT_EQ((*bans)[0].jail, "apache");
  EXPECT_EQ((*bans)[0].bantime, 3600);
  EXPECT_EQ((*bans)[0].bancount, 3);
}

TEST_F(BansTest, ForEachCurrentBanHandsOutViewsOfEachRow) {
  json::Value data = TicketData({"x"}, 1);
  ASSERT_TRUE(store_.AddBan({.jail = "sshd", .ip = "192.0.2.1", .time = kTestNow, .bantime = -1, .bancount = 4,
                             .data = &data}));
  std::vector<std::string> seen;
  auto count = store_.ForEachCurrentBan({.jail = "sshd"}, [&](const StoredBan& ban) {
    seen.push_back(std::string(ban.ip) + " " + std::string(ban.jail) + " " + std::to_string(int64_t(ban.time_of_ban)) +
                   " " + std::to_string(int64_t(ban.bantime)) + " " + std::to_string(ban.bancount) + " " +
                   std::string(ban.data));
  });
  ASSERT_TRUE(count);
  EXPECT_EQ(*count, 1);
  EXPECT_EQ(seen, std::vector<std::string>{R"(192.0.2.1 sshd 1124013600 -1 4 {"matches": ["x"], "failures": 1})"});
}

TEST_F(BansTest, BanCountIsPerJailOrSummedOverAllJails) {
  Ban("sshd", "192.0.2.1", kTestNow - 3000, 600, 2);
  Ban("apache", "192.0.2.1", kTestNow - 100, 1200, 3);
  auto sshd = store_.GetBanCount({.ip = "192.0.2.1", .jail = "sshd"});
  ASSERT_TRUE(sshd && *sshd);
  EXPECT_EQ((*sshd)->bancount, 2);
  EXPECT_EQ((*sshd)->time_of_ban, kTestNow - 3000);
  EXPECT_EQ((*sshd)->bantime, 600);
  auto all = store_.GetBanCount({.ip = "192.0.2.1", .jail = "sshd", .overalljails = true});
  ASSERT_TRUE(all && *all);
  EXPECT_EQ((*all)->bancount, 5);
  EXPECT_EQ((*all)->time_of_ban, kTestNow - 100);
  EXPECT_EQ((*all)->bantime, 1800);
  EXPECT_EQ(*store_.GetBanCount({.ip = "192.0.2.9", .jail = "sshd"}), std::nullopt);
  EXPECT_EQ(*store_.GetBanCount({.ip = "192.0.2.1", .jail = "sshd", .forbantime = 1000}), std::nullopt);
  EXPECT_EQ(*store_.GetBanCount({.ip = "192.0.2.1", .jail = "sshd", .fromtime = kTestNow - 3000}), std::nullopt);
}

TEST_F(BansTest, HistoryListsEveryBanNewestFirstPerIp) {
  Ban("sshd", "192.0.2.2", kTestNow - 10, 600);
  Ban("sshd", "192.0.2.1", kTestNow - 3000, 600);
  Ban("sshd", "192.0.2.1", kTestNow - 100, 600);
  Ban("apache", "192.0.2.1", kTestNow - 50, 600);
  std::vector<std::string> seen;
  auto collect = [&](const StoredBan& ban) {
    seen.push_back(std::string(ban.ip) + "@" + std::to_string(int64_t(kTestNow - ban.time_of_ban)));
  };
  ASSERT_TRUE(store_.ForEachBanInHistory({.jail = "sshd"}, collect));
  EXPECT_EQ(seen, (std::vector<std::string>{"192.0.2.1@100", "192.0.2.1@3000", "192.0.2.2@10"}));
  seen.clear();
  ASSERT_TRUE(store_.ForEachBanInHistory({.ip = "192.0.2.1", .bantime = 1000}, collect));
  EXPECT_EQ(seen, (std::vector<std::string>{"192.0.2.1@50", "192.0.2.1@100"}));
}

// fail2ban's purge with dbpurgeage 1 day at now = TEST_NOW.
TEST_F(BansTest, PurgeRemovesOldHistoryOutdatedIpsAndEmptyDisabledJails) {
  constexpr double kDay = 86400;
  Ban("sshd", "keep.recent", kTestNow - 1000, 600);
  Ban("sshd", "old.short", kTestNow - kDay - 3600, 600);         // bips: + 3 * 600 still before the cut
  Ban("sshd", "old.permanent", kTestNow - kDay - 3600, -1);      // bips: never purged
  Ban("sshd", "old.long", kTestNow - kDay - 3600, 7200);         // bips: + 3 * 7200 is after the cut
  Ban("sshd", "old.unknown", kTestNow - kDay - 3600, -2);
  ASSERT_TRUE(store_.AddJail("gone"));
  ASSERT_TRUE(store_.UpdateLog("gone", "/var/log/gone.log", std::nullopt, 5));
  ASSERT_TRUE(store_.AddJail("idle"));
  ASSERT_TRUE(store_.DisableJail("gone"));
  ASSERT_TRUE(store_.DisableJail("sshd"));  // disabled, but with bans left

  auto purged = store_.Purge();
  ASSERT_TRUE(purged) << purged.error().ToString();
  EXPECT_EQ(purged->bans, 4);
  EXPECT_EQ(purged->bips, 2);
  EXPECT_EQ(purged->jails, 1);
  EXPECT_EQ(Rows(Path("db"), "SELECT ip FROM bans"), std::vector<std::string>{"keep.recent"});
  EXPECT_EQ(Rows(Path("db"), "SELECT ip FROM bips ORDER BY ip"),
            (std::vector<std::string>{"keep.recent", "old.long", "old.permanent"}));
  EXPECT_EQ(*store_.JailNames(), (std::vector<std::string>{"apache", "idle", "sshd"}));
  EXPECT_EQ(Rows(Path("db"), "SELECT count(*) FROM logs"), std::vector<std::string>{"0"});  // cascaded
}

TEST_F(StoreTest, ABusyDatabaseIsWaitedForThenReportedAndNothingIsLost) {
  std::string path = Path("db");
  BanStore store = OpenStore(path, {.busy_timeout_ms = 50});
  ASSERT_TRUE(store.AddJail("sshd"));
  ASSERT_TRUE(store.AddBan({.jail = "sshd", .ip = "192.0.2.1", .time = kTestNow, .bantime = 600}));

  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  auto added = store.AddBan({.jail = "sshd", .ip = "192.0.2.2", .time = kTestNow, .bantime = 600});
  ASSERT_FALSE(added);
  EXPECT_EQ(added.error().ToString(), path + ": cannot add ban of 192.0.2.2 in jail 'sshd': database is locked");
  EXPECT_EQ(Ips(store.CurrentBans({.jail = "sshd"})), std::vector<std::string>{"192.0.2.1"});  // readers go on
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);

  ASSERT_TRUE(store.AddBan({.jail = "sshd", .ip = "192.0.2.2", .time = kTestNow, .bantime = 600}));
  EXPECT_EQ(Ips(store.CurrentBans({.jail = "sshd"})), (std::vector<std::string>{"192.0.2.1", "192.0.2.2"}));
}

}  // namespace
}  // namespace portcullis::store
