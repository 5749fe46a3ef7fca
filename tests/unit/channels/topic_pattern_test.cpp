// Topic patterns: exact, "prefix*" and "{name}" segments.
#include "channels/topic_pattern.hpp"

#include <gtest/gtest.h>

namespace sg::channels {
namespace {

TopicPattern mustParse(std::string_view text) {
  auto p = TopicPattern::parse(text);
  EXPECT_TRUE(p.has_value()) << text;
  return p.value_or(*TopicPattern::parse("unparsable-fallback"));
}

TEST(TopicPattern, ExactMatchesOnlyItself) {
  auto p = mustParse("lobby");
  EXPECT_EQ(p.text(), "lobby");
  auto m = p.match("lobby");
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->empty());
  EXPECT_FALSE(p.match("lobby2"));
  EXPECT_FALSE(p.match("lobb"));
  EXPECT_FALSE(p.match(""));
}

TEST(TopicPattern, WildcardNeedsANonEmptyRest) {
  auto p = mustParse("room:*");
  EXPECT_TRUE(p.match("room:lobby"));
  EXPECT_TRUE(p.match("room:a:b"));
  EXPECT_FALSE(p.match("room:"));
  EXPECT_FALSE(p.match("room"));
  EXPECT_FALSE(p.match("rooms:x"));
}

TEST(TopicPattern, NamedSegmentCaptures) {
  auto p = mustParse("user_count:{user_id}");
  auto m = p.match("user_count:42");
  ASSERT_TRUE(m);
  ASSERT_EQ(m->size(), 1u);
  EXPECT_EQ((*m)[0].first, "user_id");
  EXPECT_EQ((*m)[0].second, "42");
  const std::string* id = findParam(*m, "user_id");
  ASSERT_NE(id, nullptr);
  EXPECT_EQ(*id, "42");
  EXPECT_EQ(findParam(*m, "other"), nullptr);
}

TEST(TopicPattern, NamedSegmentRefusesEmptyAndColons) {
  auto p = mustParse("user_count:{user_id}");
  EXPECT_FALSE(p.match("user_count:"));
  EXPECT_FALSE(p.match("user_count:1:2"));
  EXPECT_FALSE(p.match("user_count"));
  EXPECT_FALSE(p.match("user_counts:1"));
}

TEST(TopicPattern, SeveralNamedSegments) {
  auto p = mustParse("org:{org}:user:{user}");
  auto m = p.match("org:acme:user:7");
  ASSERT_TRUE(m);
  EXPECT_EQ(*m, (TopicParams{{"org", "acme"}, {"user", "7"}}));
  EXPECT_FALSE(p.match("org:acme:user:"));
  EXPECT_FALSE(p.match("org::user:7"));
}

TEST(TopicPattern, WildcardAfterLiteralFollowingAName) {
  auto p = mustParse("user:{id}:*");
  auto m = p.match("user:7:inbox");
  ASSERT_TRUE(m);
  EXPECT_EQ(*m, (TopicParams{{"id", "7"}}));
  EXPECT_FALSE(p.match("user:7:"));
}

TEST(TopicPattern, RejectsMalformedPatterns) {
  for (std::string_view bad : {"", "{", "}", "a{}", "{a}{b}", "*x", "a*b", "room:{id", "room:id}", "room:{a:b}",
                               "room:{a{b}}", "room:{id}*"}) {
    EXPECT_FALSE(TopicPattern::parse(bad)) << "'" << bad << "'";
  }
}

TEST(TopicPattern, LoneWildcardMatchesAnyNonEmptyTopic) {
  auto p = mustParse("*");
  EXPECT_TRUE(p.match("anything"));
  EXPECT_FALSE(p.match(""));
}

}  // namespace
}  // namespace sg::channels
