#include "portcullis/base/error.h"

#include <gtest/gtest.h>

namespace portcullis {
namespace {

TEST(ErrorTest, PrintsFileLineMessageAndFragment) {
  Error e{"unknown tag", "filter.d/x.conf", 12, "<FOO>"};
  EXPECT_EQ(e.ToString(), "filter.d/x.conf:12: unknown tag: <FOO>");
}

TEST(ErrorTest, LeavesOutEmptyParts) {
  EXPECT_EQ((Error{"no file", "", 0, ""}).ToString(), "no file");
  EXPECT_EQ((Error{"whole file", "a.conf", 0, ""}).ToString(), "a.conf: whole file");
}

TEST(ErrorTest, AtKeepsAnExistingLocation) {
  Error inner{"bad", "inner.conf", 3, ""};
  EXPECT_EQ(inner.At("outer.conf", 9).ToString(), "inner.conf:3: bad");
  EXPECT_EQ((Error{"bad"}).At("outer.conf", 9).ToString(), "outer.conf:9: bad");
}

TEST(ErrorTest, ResultCarriesAValueOrAnError) {
  Result<int> ok = 3;
  Result<int> bad = Fail("nope");
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, 3);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "nope");
}

}  // namespace
}  // namespace portcullis
