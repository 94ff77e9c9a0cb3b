#include "portcullis/store/ticket_data.h"

#include <gtest/gtest.h>

namespace portcullis::store {
namespace {

std::string Dump(const json::Value& value, int max_matches = 10) {
  std::string out;
  AppendTicketJson(value, max_matches, out);
  return out;
}

json::Value Parsed(std::string_view text) {
  auto value = json::Parse(text);
  EXPECT_TRUE(value) << value.error().ToString();
  return value ? *value : json::Value();
}

TEST(TicketDataTest, WritesWhatFail2bansJsonDumpsWritesForATicket) {
  // fail2ban 1.0.2's addBan of FailTicket("192.0.2.1", t, ["line one", 'line "two"\té']) with
  // failures 3, users {'root'}, user 'root' stored exactly these bytes.
  std::vector<std::string> users = {"root"};
  json::Value data(json::Object{
      {"matches", json::Array{"line one", "line \"two\"\t\xc3\xa9"}},
      {"failures", 3},
      {"users", PythonListRepr(users)},
      {"user", "root"}});
  EXPECT_EQ(Dump(data), "{\"matches\": [\"line one\", \"line \\\"two\\\"\\t\xc3\xa9\"], \"failures\": 3, "
                        "\"users\": \"['root']\", \"user\": \"root\"}");
}

TEST(TicketDataTest, WritesValuesAsPythonDoes) {
  struct Case { const char* json; const char* python; };
  const Case cases[] = {
      {R"({})", R"({})"},
      {R"({"a": [], "b": {}, "c": null, "d": true, "e": false})", R"({"a": [], "b": {}, "c": null, "d": true, "e": false})"},
      {R"({"n": -12, "x": 0.5, "y": 1e16, "z": 0.000015, "w": 123456.789})",
       R"({"n": -12, "x": 0.5, "y": 1e+16, "z": 1.5e-05, "w": 123456.789})"},
      {R"({"t": 1124013600.25, "s": 0.0001})", R"({"t": 1124013600.25, "s": 0.0001})"},
      {R"({"ctl": "a\u0001b\r\n\f\b\\"})", R"({"ctl": "a\u0001b\r\n\f\b\\"})"},
      {R"({"nested": {"matches": [1, 2, 3]}})", R"({"nested": {"matches": [1, 2, 3]}})"},
  };
  for (const Case& c : cases) EXPECT_EQ(Dump(Parsed(c.json), 2), c.python) << c.json;
}

TEST(TicketDataTest, KeepsTheLastDbMaxMatchesLines) {
  json::Value data = Parsed(R"({"matches": ["1", "2", "3", "4"], "failures": 4})");
  EXPECT_EQ(Dump(data, 10), R"({"matches": ["1", "2", "3", "4"], "failures": 4})");
  EXPECT_EQ(Dump(data, 2), R"({"matches": ["3", "4"], "failures": 4})");
  EXPECT_EQ(Dump(data, 0), R"({"failures": 4})");
  EXPECT_EQ(Dump(data, -1), R"({"matches": ["1", "2", "3", "4"], "failures": 4})");
  // database.py drops only a non-empty list when dbmaxmatches is 0.
  EXPECT_EQ(Dump(Parsed(R"({"matches": [], "failures": 1})"), 0), R"({"matches": [], "failures": 1})");
}

TEST(TicketDataTest, WritesSetsAsPythonsStrOfAList) {
  std::vector<std::string> none;
  std::vector<std::string> users = {"admin", "root"};
  std::vector<std::string> quotes = {"o'neil", "say \"hi\"", "both ' \"", "tab\there\\"};
  EXPECT_EQ(PythonListRepr(none), "[]");
  EXPECT_EQ(PythonListRepr(users), "['admin', 'root']");
  EXPECT_EQ(PythonListRepr(quotes), R"(["o'neil", 'say "hi"', 'both \' "', 'tab\there\\'])");
  EXPECT_EQ(PythonStrRepr("\x01\x7f\xc3\xa9"), "'\\x01\\x7f\xc3\xa9'");
}

}  // namespace
}  // namespace portcullis::store
