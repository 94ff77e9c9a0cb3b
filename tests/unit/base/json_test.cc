#include "portcullis/base/json.h"

#include <gtest/gtest.h>

namespace portcullis::json {
namespace {

TEST(JsonTest, ParsesAFailJsonAnnotation) {
  auto v = Parse(R"({"time": "2005-08-14T12:00:00", "match": true, "host": "192.0.2.1", "attempts": 3, "dns": null})");
  ASSERT_TRUE(v) << v.error().ToString();
  EXPECT_EQ(v->Find("time")->as_string(), "2005-08-14T12:00:00");
  EXPECT_TRUE(v->Find("match")->as_bool());
  EXPECT_EQ(v->Find("attempts")->as_number(), 3);
  EXPECT_TRUE(v->Find("dns")->is_null());
  EXPECT_EQ(v->Find("missing"), nullptr);
}

TEST(JsonTest, KeepsKeyOrderAndDumpsCompactly) {
  auto v = Parse(R"([{"b": 1, "a": "x\u00e9\n"}, [], {}])");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->Dump(), "[{\"b\":1,\"a\":\"x\xc3\xa9\\n\"},[],{}]");
}

TEST(JsonTest, ReportsTheColumnOfBrokenInput) {
  struct Case { const char* text; const char* message; };
  const Case cases[] = {
      {R"({"match" true})", "invalid JSON at column 10: expected ':'"},
      {R"({"a": 1,})", "invalid JSON at column 9: expected a string key"},
      {R"([1, 2)", "invalid JSON at column 6: expected ',' or ']'"},
      {R"("abc)", "invalid JSON at column 5: unterminated string"},
      {R"({} x)", "invalid JSON at column 4: unexpected text after the value"},
      {"", "invalid JSON at column 1: unexpected end of text"},
  };
  for (const auto& c : cases) {
    auto v = Parse(c.text);
    ASSERT_FALSE(v) << c.text;
    EXPECT_EQ(v.error().message, c.message) << c.text;
  }
}

}  // namespace
}  // namespace portcullis::json
