#include "portcullis/config/tags.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <utility>

namespace portcullis::config {
namespace {

OptionMap Map(std::initializer_list<std::pair<const char*, const char*>> entries) {
  OptionMap map;
  for (const auto& [k, v] : entries) map.Set(k, v);
  return map;
}

std::string Substituted(const OptionMap& tags, const TagOptions& options = {}) {
  auto out = SubstituteRecursiveTags(tags, options);
  return out ? out->Repr() : "ERROR " + out.error().ToString();
}

struct TagCase {
  OptionMap tags;
  const char* expected;  // Repr() of the result or "ERROR ..."
};

// Rows checked against fail2ban 1.0.2's helpers.substituteRecursiveTags.
TEST(SubstituteRecursiveTagsTest, ResolvesNestedTagsAndKeepsUnknownOnes) {
  const TagCase rows[] = {
      {Map({{"a", "3"}, {"b", "<a>_3"}}), "{'a': '3', 'b': '3_3'}"},
      {Map({{"mode", "normal"}, {"x", "<mdre-<mode>>"}, {"mdre-normal", "N"}}),
       "{'mode': 'normal', 'x': 'N', 'mdre-normal': 'N'}"},
      {Map({{"a", "<HOST> <b>"}, {"b", "<c>"}, {"c", "C"}}), "{'a': '<HOST> C', 'b': 'C', 'c': 'C'}"},
      {Map({{"a", "<<b>>"}, {"b", "c"}, {"c", "C"}}), "{'a': 'C', 'b': 'c', 'c': 'C'}"},
      {Map({{"a", "<b> and <b>"}, {"b", "B"}}), "{'a': 'B and B', 'b': 'B'}"},
      {Map({{"a", "< b> <> <a b>"}}), "{'a': '< b> <> <a b>'}"},
  };
  for (const TagCase& row : rows) EXPECT_EQ(Substituted(row.tags), row.expected);
}

TEST(SubstituteRecursiveTagsTest, RejectsSelfReferencingDefinitions) {
  const TagCase rows[] = {
      {Map({{"a", "<a>"}}),
       "ERROR properties contain self referencing definitions and cannot be resolved, fail tag: a, found: a: <a>"},
      {Map({{"a", "<b>"}, {"b", "<a>"}}),
       "ERROR properties contain self referencing definitions and cannot be resolved, fail tag: a, found: a: <a>"},
      {Map({{"a", "x<b>"}, {"b", "<b>y"}}),
       "ERROR properties contain self referencing definitions and cannot be resolved, fail tag: a, found: b: "
       "x<b>yyyyyyyyyyyyyyyyyyyyyyyyyy"},
  };
  for (const TagCase& row : rows) EXPECT_EQ(Substituted(row.tags), row.expected);
}

TEST(SubstituteRecursiveTagsTest, NamesTheKeyThatFailed) {
  std::string failed;
  auto out = SubstituteRecursiveTags(Map({{"ok", "1"}, {"loop", "<loop>"}}), {}, &failed);
  ASSERT_FALSE(out);
  EXPECT_EQ(failed, "loop");
}

TEST(SubstituteRecursiveTagsTest, LeavesIgnoredTagsAndKeysAlone) {
  TagOptions options;
  options.ignore = {"matches"};
  EXPECT_EQ(Substituted(Map({{"a", "<ip> <matches>"}, {"matches", "<ip>"}, {"ip", "I"}}), options),
            "{'a': 'I <matches>', 'matches': '<ip>', 'ip': 'I'}");
}

TEST(SubstituteRecursiveTagsTest, PrefersTheConditionalVariant) {
  TagOptions options;
  options.conditional = "family=inet6";
  EXPECT_EQ(Substituted(Map({{"blocktype", "R"}, {"blocktype?family=inet6", "R6"}, {"ban", "<blocktype>"}}),
                        options),
            "{'blocktype': 'R', 'blocktype?family=inet6': 'R6', 'ban': 'R6'}");
}

TEST(SubstituteRecursiveTagsTest, AsksTheFallbackForUnknownTags) {
  TagOptions options;
  int calls = 0;
  options.fallback = [&](std::string_view tag) -> Result<std::optional<std::string>> {
    ++calls;
    if (tag == "x/y") return std::optional<std::string>("XY");
    if (tag == "bad") return Fail("lookup failed");
    return std::optional<std::string>();
  };
  EXPECT_EQ(Substituted(Map({{"a", "<x/y> <z> <x/y>"}, {"b", "<x/y>"}}), options),
            "{'a': 'XY <z> XY', 'b': 'XY'}");
  EXPECT_EQ(calls, 2);  // x/y once (cached), z once
  EXPECT_EQ(Substituted(Map({{"a", "<bad>"}}), options), "ERROR lookup failed");
}

}  // namespace
}  // namespace portcullis::config
