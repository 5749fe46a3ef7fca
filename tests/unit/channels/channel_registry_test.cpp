// The registry resolves a topic to the first matching pattern, in order of add().
#include "channels/channel_registry.hpp"

#include "channels/room_channel.hpp"

#include <gtest/gtest.h>

namespace sg::channels {
namespace {

TEST(ChannelRegistry, ResolvesToTheFirstMatchInAddOrder) {
  ChannelRegistry registry;
  auto first = std::make_shared<ListenOnlyChannel>();
  auto second = std::make_shared<RoomChannel>();
  ASSERT_TRUE(registry.add("room:lobby", anyone(), first));
  ASSERT_TRUE(registry.add("room:*", authenticated(), second));

  auto lobby = registry.resolve("room:lobby");
  ASSERT_TRUE(lobby);
  EXPECT_EQ(lobby->spec->handler, first);
  EXPECT_EQ(lobby->spec->pattern.text(), "room:lobby");

  auto other = registry.resolve("room:other");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->spec->handler, second);
}

TEST(ChannelRegistry, OrderDecidesWhenBothMatch) {
  ChannelRegistry registry;
  auto broad = std::make_shared<RoomChannel>();
  auto narrow = std::make_shared<ListenOnlyChannel>();
  registry.add("room:*", anyone(), broad);
  registry.add("room:lobby", anyone(), narrow);
  EXPECT_EQ(registry.resolve("room:lobby")->spec->handler, broad);
}

TEST(ChannelRegistry, ReturnsParamsAndTheRule) {
  ChannelRegistry registry;
  registry.add("user_count:{user_id}", ownUser(), std::make_shared<ListenOnlyChannel>());
  auto r = registry.resolve("user_count:42");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->params, (TopicParams{{"user_id", "42"}}));
  Identity who;
  who.user_id = "42";
  who.kind = CredentialKind::Jwt;
  EXPECT_TRUE(r->spec->rule(who, r->params));
  who.user_id = "43";
  EXPECT_FALSE(r->spec->rule(who, r->params));
}

TEST(ChannelRegistry, UnknownTopicIsNotResolved) {
  ChannelRegistry registry;
  registry.add("room:*", anyone(), std::make_shared<RoomChannel>());
  EXPECT_FALSE(registry.resolve("lobby"));
  EXPECT_FALSE(registry.resolve("room:"));
  EXPECT_FALSE(ChannelRegistry().resolve("room:1"));
}

TEST(ChannelRegistry, RefusesMalformedPatterns) {
  ChannelRegistry registry;
  EXPECT_FALSE(registry.add("room:{", anyone(), std::make_shared<RoomChannel>()));
  EXPECT_FALSE(registry.resolve("room:{"));
}

}  // namespace
}  // namespace sg::channels
