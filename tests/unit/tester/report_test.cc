#include "portcullis/tester/report.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

namespace portcullis::tester {
namespace {

TEST(ShortStrTest, CutsAtFiftyCharactersNotBytes) {
  EXPECT_EQ(ShortStr(std::string(53, 'a')), std::string(53, 'a'));
  EXPECT_EQ(ShortStr(std::string(54, 'a')), std::string(50, 'a') + "...");
  std::string umlauts;
  for (int i = 0; i < 53; ++i) umlauts += "\xC3\xA4";  // 53 x 'ä': 106 bytes, 53 characters
  EXPECT_EQ(ShortStr(umlauts), umlauts);
  EXPECT_EQ(ShortStr(umlauts + "x").size(), 100u + 3u);
}

TEST(PprintListTest, PrintsHeaderItemsAndClosingMark) {
  EXPECT_EQ(PprintList({}), "");
  EXPECT_EQ(PprintList({"a", "b"}), "|  a\n|  b\n`-");
  EXPECT_EQ(PprintList({"x"}, "Missed line(s):"), "|- Missed line(s):\n|  x\n`-");
}

TEST(PyFloatReprTest, MatchesPythonRepr) {
  EXPECT_EQ(PyFloatRepr(1124013599.0), "1124013599.0");
  EXPECT_EQ(PyFloatRepr(1591983743.667), "1591983743.667");
  EXPECT_EQ(PyFloatRepr(0.5), "0.5");
  EXPECT_EQ(PyFloatRepr(0.0001), "0.0001");
  EXPECT_EQ(PyFloatRepr(0.00001), "1e-05");
  EXPECT_EQ(PyFloatRepr(1e16), "1e+16");
  EXPECT_EQ(PyFloatRepr(123456789012345.6), "123456789012345.6");
  EXPECT_EQ(PyFloatRepr(-2.0), "-2.0");
  EXPECT_EQ(PyTimeRepr(std::nullopt, false), "None");
  EXPECT_EQ(PyTimeRepr(1124020800.0, true), "1124020800");
}

TEST(PyDictReprTest, SpellsFailureDataAsPython) {
  filter::FailData data;
  data.Set("mlfid", std::string(" sshd[1]: "));
  data.Set("nofail", std::monostate{});
  data.Set("fid", filter::Tuple{std::string("a"), std::nullopt});
  data.Set("matches", filter::Lines{{"", "Aug 14 11:59:59", " x"}});
  data.Set("users", filter::Users{"admin", "root"});
  data.Set("mlfpending", std::int64_t{1});
  EXPECT_EQ(PyDictRepr(data, "matches"),
            "{'mlfid': ' sshd[1]: ', 'nofail': None, 'fid': ('a', None), 'users': {'admin', 'root'}, "
            "'mlfpending': 1}");
  EXPECT_EQ(PyValueRepr(*data.Find("matches")), "[('', 'Aug 14 11:59:59', ' x')]");
  EXPECT_EQ(PyValueRepr(filter::Users{}), "set()");
}

TEST(IdTest, TupleIdsPrintUnquoted) {
  filter::Failure f;
  f.id = IpAddr::Raw("('192.0.2.1', '192.0.2.2')");
  f.data.Set("fid", filter::Tuple{std::string("192.0.2.1"), std::string("192.0.2.2")});
  EXPECT_EQ(IdStr(f), "('192.0.2.1', '192.0.2.2')");
  EXPECT_EQ(IdRepr(f), "('192.0.2.1', '192.0.2.2')");
  filter::Failure g;
  g.id = IpAddr::Parse("192.0.2.1");
  EXPECT_EQ(IdRepr(g), "'192.0.2.1'");
  EXPECT_EQ(IdRepr(filter::Failure{}), "None");
}

TEST(LocalTimeTextTest, UsesPythonsCtimeLikeFormat) {
  setenv("TZ", "CET-01CEST-02,M3.5.0,M10.5.0", 1);
  tzset();
  EXPECT_EQ(LocalTimeText(1124013239.0), "Sun Aug 14 11:53:59 2005");
}

}  // namespace
}  // namespace portcullis::tester
