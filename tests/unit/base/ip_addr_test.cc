#include "portcullis/base/ip_addr.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstring>
#include <ostream>
#include <string>
#include <unordered_set>
#include <vector>

namespace portcullis {
namespace {

struct ParseCase {
  const char* text;
  int cidr;
  const char* shown;
  const char* family;
  int prefix_len;
};

void PrintTo(const ParseCase& c, std::ostream* os) { *os << c.text << " cidr " << c.cidr; }

class ParsesAddressesLikeFail2ban : public ::testing::TestWithParam<ParseCase> {};

TEST_P(ParsesAddressesLikeFail2ban, ToTheSameTextFamilyAndPrefix) {
  const ParseCase& c = GetParam();
  const IpAddr ip = IpAddr::Parse(c.text, c.cidr);
  EXPECT_EQ(ip.ToString(), c.shown);
  EXPECT_EQ(ip.FamilyStr(), c.family);
  EXPECT_EQ(ip.prefix_len(), c.prefix_len);
}

constexpr int kUnspec = IpAddr::kCidrUnspec;

// Results printed by fail2ban 1.0.2's IPAddr (str, familyStr, plen).
INSTANTIATE_TEST_SUITE_P(
    IpAddrTest, ParsesAddressesLikeFail2ban,
    ::testing::Values(
        ParseCase{"192.0.2.1", kUnspec, "192.0.2.1", "inet4", 32},
        ParseCase{"192.0.2.1/24", kUnspec, "192.0.2.0/24", "inet4", 24},
        ParseCase{"192.0.2.1", 24, "192.0.2.0/24", "inet4", 24},
        ParseCase{"127.0.0.1/8", kUnspec, "127.0.0.0/8", "inet4", 8},
        ParseCase{"192.0.2.1/255.255.255.0", kUnspec, "192.0.2.0/24", "inet4", 24},
        ParseCase{"1.2.3.4/255.255.255.128", kUnspec, "1.2.3.0/25", "inet4", 25},
        ParseCase{"1.2.3.4/0", kUnspec, "0.0.0.0", "inet4", 0},
        ParseCase{"1.2.3.4/32", kUnspec, "1.2.3.4", "inet4", 32},
        ParseCase{"1.2.3.4/ 24", kUnspec, "1.2.3.0/24", "inet4", 24},
        ParseCase{"2001:DB8::1", kUnspec, "2001:db8::1", "inet6", 128},
        ParseCase{"2001:DB8:FF:FF::1/60", kUnspec, "2001:db8:ff:f0::/60", "inet6", 60},
        ParseCase{"2001:db8:ff:ff::1", 60, "2001:db8:ff:f0::/60", "inet6", 60},
        ParseCase{"2001:db8::1/ffff:ffff::", kUnspec, "2001:db8::/32", "inet6", 32},
        ParseCase{"1.2.3.4/::ffff:ff00", kUnspec, "1.2.3.0/24", "inet4", 24},
        ParseCase{"[2001:db8::1]", kUnspec, "2001:db8::1", "inet6", 128},
        ParseCase{"[1.2.3.4]", kUnspec, "1.2.3.4", "inet4", 32},
        ParseCase{"[::1/64]", kUnspec, "::/64", "inet6", 64},
        ParseCase{"::ffff:1.2.3.4", kUnspec, "1.2.3.4", "inet4", 32},
        ParseCase{"::ffff:1.2.3.4/120", kUnspec, "::ffff:1.2.3.0/120", "inet6", 120},
        ParseCase{"::ffff:1.2.3.4/128", kUnspec, "::ffff:1.2.3.4", "inet6", 128},
        ParseCase{"::1.2.3.4", kUnspec, "::1.2.3.4", "inet6", 128},
        ParseCase{"::ffff:0:1.2.3.4", kUnspec, "::ffff:0:102:304", "inet6", 128},
        ParseCase{"::/0", kUnspec, "::", "inet6", 0},
        // Not addresses: kept verbatim.
        ParseCase{"192.030.0.6", kUnspec, "192.030.0.6", "", 0},
        ParseCase{"example.com", kUnspec, "example.com", "", 0},
        ParseCase{"", kUnspec, "", "", 0},
        ParseCase{"[]", kUnspec, "[]", "", 0},
        ParseCase{"[::1]/64", kUnspec, "[::1]", "", 0},
        ParseCase{"1.2.3.4/24/5", kUnspec, "1.2.3.4/24/5", "", 0}));

TEST(IpAddrTest, NetworkFromTestRegexSubnet) {
  EXPECT_EQ(IpAddr::Parse("192.0.2.1", 24), IpAddr::Parse("192.0.2.0/24"));
  EXPECT_EQ(IpAddr::Parse("2001:DB8:FF:FF::1", 60).ToString(), "2001:db8:ff:f0::/60");
}

TEST(IpAddrTest, IgnoreipNetmaskCoversOnlyItsHalf) {
  auto net = IpAddr::ParseNet("192.168.1.0/255.255.255.128");
  ASSERT_TRUE(net) << net.error().ToString();
  EXPECT_TRUE(IpAddr::Parse("192.168.1.0").InNet(*net));
  EXPECT_TRUE(IpAddr::Parse("192.168.1.127").InNet(*net));
  EXPECT_FALSE(IpAddr::Parse("192.168.1.128").InNet(*net));
  EXPECT_FALSE(IpAddr::Parse("192.168.2.1").InNet(*net));
  EXPECT_EQ(*net, *IpAddr::ParseNet("192.168.1.0/25"));
  EXPECT_TRUE(net->Contains(IpAddr::Parse("192.168.1.5")));
  EXPECT_TRUE(net->Contains(*net));
}

TEST(IpAddrTest, NonContiguousNetmaskIsAnError) {
  auto net = IpAddr::ParseNet("192.168.1.0/255.255.0.128");
  ASSERT_FALSE(net);
  EXPECT_EQ(net.error().message, "invalid mask '255.255.0.128', no plen representation");
}

TEST(IpAddrTest, UnreadablePrefixIsAnErrorForNetsAndTextForHosts) {
  auto net = IpAddr::ParseNet("1.2.3.4/ab");
  ASSERT_FALSE(net);
  EXPECT_EQ(net.error().message, "invalid prefix length 'ab'");
  EXPECT_FALSE(IpAddr::ParseNet("1.2.3.4/a.b"));
  EXPECT_FALSE(IpAddr::Parse("1.2.3.4/ab").IsValid());
  EXPECT_EQ(IpAddr::Parse("1.2.3.4/ab").ToString(), "1.2.3.4/ab");
}

TEST(IpAddrTest, DnsNameIsAValidIgnoreipEntryButMatchesNoAddress) {
  auto net = IpAddr::ParseNet("example.com");
  ASSERT_TRUE(net);
  EXPECT_FALSE(net->IsValid());
  EXPECT_EQ(net->raw(), "example.com");
  EXPECT_FALSE(IpAddr::Parse("192.0.2.1").InNet(*net));
}

TEST(IpAddrTest, InNetNeedsTheSameFamily) {
  EXPECT_TRUE(IpAddr::Parse("2001:db8::5").InNet(IpAddr::Parse("2001:db8::/32")));
  EXPECT_FALSE(IpAddr::Parse("2001:db9::5").InNet(IpAddr::Parse("2001:db8::/32")));
  EXPECT_FALSE(IpAddr::Parse("1.2.3.4").InNet(IpAddr::Parse("::/0")));
  EXPECT_TRUE(IpAddr::Parse("1.2.3.4").InNet(IpAddr::Parse("0.0.0.0/0")));
  EXPECT_TRUE(IpAddr::Parse("1.2.3.4/24").InNet(IpAddr::Parse("1.2.0.0/16")));
}

TEST(IpAddrTest, PtrIsTheReversedFormForIpRev) {
  EXPECT_EQ(IpAddr::Parse("1.2.3.4").Ptr(), "4.3.2.1.");
  EXPECT_EQ(IpAddr::Parse("1.2.3.4").Ptr("in-addr.arpa."), "4.3.2.1.in-addr.arpa.");
  EXPECT_EQ(IpAddr::Parse("192.0.2.1/24").Ptr(), "0/24.2.0.192.");
  EXPECT_EQ(IpAddr::Parse("2001:db8::1").Ptr(),
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.");
  EXPECT_EQ(IpAddr::Parse("example.com").Ptr(), "");
}

TEST(IpAddrTest, EqualityComparesFamilyAddressAndPrefix) {
  EXPECT_EQ(IpAddr::Parse("2001:DB8::1"), IpAddr::Parse("2001:db8::1"));
  EXPECT_EQ(IpAddr::Parse("::ffff:1.2.3.4"), IpAddr::Parse("1.2.3.4"));
  EXPECT_NE(IpAddr::Parse("1.2.3.0"), IpAddr::Parse("1.2.3.0/24"));
  EXPECT_NE(IpAddr::Parse("1.2.3.4"), IpAddr::Parse("1.2.3.5"));
  EXPECT_EQ(IpAddr::Parse("192.030.0.6"), IpAddr::Parse("192.030.0.6"));
  EXPECT_NE(IpAddr::Parse("a.example"), IpAddr::Parse("b.example"));
  EXPECT_NE(IpAddr::Raw("host"), IpAddr::Parse("host"));
  EXPECT_EQ(IpAddr::Raw("1.2.3.4").family(), IpAddr::Family::kRaw);
  EXPECT_EQ(IpAddr::Raw("1.2.3.4").ToString(), "1.2.3.4");
}

TEST(IpAddrTest, CopiesKeepTheRawText) {
  const IpAddr raw = IpAddr::Parse("host.example");
  IpAddr copy = raw;
  EXPECT_EQ(copy, raw);
  EXPECT_EQ(copy.raw(), "host.example");
  copy = IpAddr::Parse("1.2.3.4");
  EXPECT_EQ(copy.raw(), "");
  EXPECT_EQ(raw.raw(), "host.example");
}

TEST(IpAddrTest, IsSmallAndHashable) {
  EXPECT_LE(sizeof(IpAddr), 32u);
  std::unordered_set<IpAddr> set;
  set.insert(IpAddr::Parse("1.2.3.4"));
  set.insert(IpAddr::Parse("::ffff:1.2.3.4"));
  set.insert(IpAddr::Parse("1.2.3.4/24"));
  set.insert(IpAddr::Parse("2001:db8::1"));
  set.insert(IpAddr::Parse("host"));
  set.insert(IpAddr::Parse("host"));
  EXPECT_EQ(set.size(), 4u);
  EXPECT_TRUE(set.contains(IpAddr::Parse("2001:DB8::1")));
  EXPECT_TRUE(IpAddr::Parse("1.2.3.4").IsSingle());
  EXPECT_FALSE(IpAddr::Parse("1.2.3.4/24").IsSingle());
  EXPECT_FALSE(IpAddr::Parse("host").IsSingle());
}

TEST(IpAddrTest, OrdersStrictly) {
  EXPECT_LT(IpAddr::Parse("1.2.3.4"), IpAddr::Parse("1.2.3.5"));
  EXPECT_FALSE(IpAddr::Parse("1.2.3.4") < IpAddr::Parse("1.2.3.4"));
  EXPECT_LT(IpAddr::Parse("a"), IpAddr::Parse("b"));
}

}  // namespace
}  // namespace portcullis

namespace portcullis {
namespace {

// Dotted quads are read without inet_pton, which must agree on every text: those it
// takes (with their bytes) and those it refuses (leading zeros, 256, five parts ...).
TEST(IpAddrTest, ReadsDottedQuadsAsInetPtonDoes) {
  std::vector<std::string> texts = {"1.2.3.4", "0.0.0.0", "255.255.255.255", "256.1.1.1", "01.2.3.4", "1.2.3.04",
                                    "1.2.3", "1.2.3.4.5", "1..3.4", ".1.2.3", "1.2.3.4.", "1.2.3.4 ", "1.2.3.a",
                                    "1000.1.1.1", "00.1.1.1", "1.2.3.-4", "192.168.100.200", "10.0.0.1", ""};
  uint32_t seed = 7;
  const std::string alphabet = "0123459.";
  for (int k = 0; k < 20000; ++k) {
    std::string t;
    for (int i = 0, n = 5 + static_cast<int>((seed = seed * 1103515245u + 12345u) >> 16) % 12; i < n; ++i)
      t += alphabet[((seed = seed * 1103515245u + 12345u) >> 16) % alphabet.size()];
    texts.push_back(t);
  }
  for (const std::string& t : texts) {
    unsigned char want[16] = {};
    const bool v4 = inet_pton(AF_INET, t.c_str(), want) == 1;
    const IpAddr got = IpAddr::Parse(t);
    if (v4) {
      ASSERT_TRUE(got.IsV4()) << "'" << t << "'";
      EXPECT_EQ(std::memcmp(got.bytes().data(), want, 4), 0) << "'" << t << "'";
    } else {
      EXPECT_FALSE(got.IsV4()) << "'" << t << "'";
    }
  }
}

// IPv6 texts are read without inet_pton (IPv4 tails excepted): every text it reads, they
// must read alike, and no other.
TEST(IpAddrTest, ReadsIpv6AsInetPtonDoes) {
  std::vector<std::string> texts = {"::", "::1", "1::", "1::2", ":1", "1:", ":::", "1:::2", "1:2:3:4:5:6:7:8",
                                    "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8::",
                                    "1::2:3:4:5:6:7:8", "12345::", "abcd:EF01::", "2a0a:1db7:972a:1750::b8ef",
                                    "fe80::1%eth0", "::ffff:1.2.3.4", "::1.2.3.4", "1:2:3:4:5:6:1.2.3.4", "g::1",
                                    "1: :2", "0000:0000::", "1::2::3"};
  uint32_t seed = 11;
  auto next = [&seed](uint32_t bound) {
    seed = seed * 1103515245u + 12345u;
    return (seed >> 16) % bound;
  };
  const std::string alphabet = "0123456789abcdefABCDEF::::::.";
  for (int k = 0; k < 50000; ++k) {
    std::string t;
    for (uint32_t i = 0, n = 2 + next(40); i < n; ++i) t += alphabet[next(static_cast<uint32_t>(alphabet.size()))];
    texts.push_back(t);
  }
  for (const std::string& t : texts) {
    unsigned char want[16] = {};
    const bool v6 = inet_pton(AF_INET6, t.c_str(), want) == 1;
    const IpAddr got = IpAddr::Parse(t);
    if (v6 && !got.IsV4()) {  // ::ffff:a.b.c.d reads as IPv4
      ASSERT_TRUE(got.IsV6()) << "'" << t << "'";
      EXPECT_EQ(std::memcmp(got.bytes().data(), want, 16), 0) << "'" << t << "'";
    } else if (!v6) {
      EXPECT_FALSE(got.IsV6()) << "'" << t << "'";
    }
  }
}

}  // namespace
}  // namespace portcullis
