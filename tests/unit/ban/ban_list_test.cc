#include "portcullis/ban/ban_list.h"

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <vector>

namespace portcullis::ban {
namespace {

Ticket BanAt(double time, std::optional<double> bantime = std::nullopt, std::string_view ip = "192.0.2.1") {
  Ticket t;
  t.id = IpAddr::Parse(ip);
  t.time = time;
  t.bantime = bantime;
  return t;
}

struct AddCase {
  double time;
  std::optional<double> bantime;
  AddBanResult result;
  std::optional<double> kept_bantime;  // the banned ticket's ban time afterwards
  double end;                          // and its end of ban
};

void PrintTo(const AddCase& c, std::ostream* os) {
  *os << "ticket at " << c.time << " bantime " << (c.bantime ? std::to_string(*c.bantime) : "jail");
}

// One BanList (jail bantime 600, now 1000) fed the tickets in order; results as
// fail2ban 1.0.2's BanManager.addBanTicket gave them.
TEST(BanListTest, AddsProlongsAndRefusesLikeBanManager) {
  const std::vector<AddCase> cases = {
      {300, std::nullopt, AddBanResult::kExpired, std::nullopt, 0},       // ends 900 < now
      {500, std::nullopt, AddBanResult::kBanned, std::nullopt, 1100},
      {520, std::nullopt, AddBanResult::kProlonged, 620, 1120},          // 600 + (520 - 500)
      {510, std::nullopt, AddBanResult::kAlreadyBanned, 620, 1120},      // ends 1110: not later
      {530, -1, AddBanResult::kProlonged, -1, kMaxTime},                 // permanent wins
      {540, 5000, AddBanResult::kAlreadyBanned, -1, kMaxTime},
  };
  BanList bans(600);
  for (const AddCase& c : cases) {
    SCOPED_TRACE(::testing::PrintToString(c));
    EXPECT_EQ(bans.Add(BanAt(c.time, c.bantime), 1000), c.result);
    const Ticket* banned = bans.Find(IpAddr::Parse("192.0.2.1"));
    if (c.result == AddBanResult::kExpired) {
      EXPECT_EQ(banned, nullptr);
      continue;
    }
    ASSERT_NE(banned, nullptr);
    EXPECT_EQ(banned->time, 500);
    EXPECT_EQ(banned->bantime, c.kept_bantime);
    EXPECT_EQ(banned->EndOfBan(600), c.end);
  }
  EXPECT_EQ(bans.size(), 1u);
  EXPECT_EQ(bans.total(), 1u);
  EXPECT_TRUE(bans.TakeExpired(1e12).empty());
}

TEST(BanListTest, BanEndsAtTheLastFailurePlusBantime) {
  BanList bans(600);
  ASSERT_EQ(bans.Add(BanAt(1000), 1050), AddBanResult::kBanned);
  EXPECT_EQ(bans.Find(IpAddr::Parse("192.0.2.1"))->ban_count, 1);
  EXPECT_EQ(bans.NextUnbanTime(), 1600);
  EXPECT_TRUE(bans.TakeExpired(1600).empty());  // unbanned only once strictly past the end
  auto expired = bans.TakeExpired(1600.5);
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].id, IpAddr::Parse("192.0.2.1"));
  EXPECT_EQ(bans.size(), 0u);
}

TEST(BanListTest, AnyNegativeBantimeButMinusOneIsExpired) {
  BanList bans(600);
  EXPECT_EQ(bans.Add(BanAt(1000, -2), 1000), AddBanResult::kExpired);
  EXPECT_EQ(bans.Add(BanAt(1000, -1), 1000), AddBanResult::kBanned);
  EXPECT_EQ(bans.NextUnbanTime(), kMaxTime);
}

TEST(BanListTest, TakesAtMostMaxCountExpiredBans) {
  BanList bans(10);
  for (int i = 1; i <= 5; ++i) bans.Add(BanAt(i, std::nullopt, "192.0.2." + std::to_string(i)), 0);
  EXPECT_EQ(bans.TakeExpired(100, 2).size(), 2u);
  EXPECT_EQ(bans.size(), 3u);
  EXPECT_EQ(bans.TakeAll().size(), 3u);
  EXPECT_EQ(bans.size(), 0u);
  EXPECT_EQ(bans.total(), 5u);
}

TEST(BanListTest, OrdersBansByTheirEnd) {
  BanList bans(600);
  bans.Add(BanAt(100, 50, "192.0.2.1"), 0);    // ends 150
  bans.Add(BanAt(100, -1, "192.0.2.2"), 0);    // never
  bans.Add(BanAt(0, std::nullopt, "192.0.2.3"), 0);  // ends 600
  std::vector<std::string> order;
  for (const Ticket* t : bans.OrderedByEnd()) order.push_back(t->id.ToString());
  EXPECT_EQ(order, (std::vector<std::string>{"192.0.2.1", "192.0.2.3", "192.0.2.2"}));
}

}  // namespace
}  // namespace portcullis::ban
