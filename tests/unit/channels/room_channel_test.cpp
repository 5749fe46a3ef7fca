// RoomChannel and ListenOnlyChannel against a recording ChannelContext.
#include "channels/room_channel.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace sg::channels {
namespace {
namespace json = boost::json;

class RecordingContext final : public ChannelContext {
 public:
  struct Sent {
    std::string topic, event, payload;
    bool binary;
  };
  const Identity& identity() const override { return identity_; }
  const std::string& topic() const override { return topic_; }
  const TopicParams& params() const override { return params_; }
  void push(std::string_view event, const json::value& payload) override {
    pushes.push_back({topic_, std::string(event), json::serialize(payload), false});
  }
  void broadcast(const std::string& topic, const std::string& event, const json::value& payload) override {
    broadcasts.push_back({topic, event, json::serialize(payload), false});
  }
  void broadcastBinary(const std::string& topic, const std::string& event, std::string bytes) override {
    broadcasts.push_back({topic, event, std::move(bytes), true});
  }
  PendingReply deferReply() override {
    return PendingReply([this](Reply r) { later.push_back(std::move(r)); });
  }
  void subscribe(const std::string& topic) override { subscribed.push_back(topic); }
  void unsubscribe(const std::string& topic) override { std::erase(subscribed, topic); }
  bool stopRelay(std::string_view) override { return false; }
  Peer peer() const override { return peer_; }
  Poster poster() override {
    return [](std::function<void()> task) { task(); };
  }
  std::vector<Sent> pushes, broadcasts;
  std::vector<Reply> later;
  std::vector<std::string> subscribed;

 private:
  Identity identity_;
  Peer peer_;
  std::string topic_ = "room:lobby";
  TopicParams params_;
};

const std::optional<std::string> kNoBinary;

TEST(RoomChannel, PingRepliesWithItsPayload) {
  RoomChannel room;
  RecordingContext ctx;
  auto payload = json::parse(R"({"n":1})");
  Reply r = room.onEvent(ctx, InboundEvent{"ping", payload, kNoBinary});
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.response, payload);
  EXPECT_TRUE(ctx.broadcasts.empty());
}

TEST(RoomChannel, BinaryPingRepliesWithBinary) {
  RoomChannel room;
  RecordingContext ctx;
  json::value null;
  std::optional<std::string> bytes = std::string("\x00\x01\x02", 3);
  Reply r = room.onEvent(ctx, InboundEvent{"ping", null, bytes});
  EXPECT_TRUE(r.ok);
  ASSERT_TRUE(r.binary_response);
  EXPECT_EQ(*r.binary_response, *bytes);
}

TEST(RoomChannel, OtherEventsAreBroadcastToTheRoom) {
  RoomChannel room;
  RecordingContext ctx;
  auto payload = json::parse(R"({"body":"hi"})");
  Reply r = room.onEvent(ctx, InboundEvent{"new_msg", payload, kNoBinary});
  EXPECT_TRUE(r.ok);
  ASSERT_EQ(ctx.broadcasts.size(), 1u);
  EXPECT_EQ(ctx.broadcasts[0].topic, "room:lobby");
  EXPECT_EQ(ctx.broadcasts[0].event, "new_msg");
  EXPECT_EQ(json::parse(ctx.broadcasts[0].payload), payload);
  EXPECT_FALSE(ctx.broadcasts[0].binary);
}

TEST(RoomChannel, BinaryEventsAreBroadcastAsBinary) {
  RoomChannel room;
  RecordingContext ctx;
  json::value null;
  std::optional<std::string> bytes = std::string("\xff\x00", 2);
  room.onEvent(ctx, InboundEvent{"blob", null, bytes});
  ASSERT_EQ(ctx.broadcasts.size(), 1u);
  EXPECT_TRUE(ctx.broadcasts[0].binary);
  EXPECT_EQ(ctx.broadcasts[0].payload, *bytes);
}

TEST(RoomChannel, ReservedEventsAreRefused) {
  RoomChannel room;
  RecordingContext ctx;
  json::value payload = json::object{};
  // subscription:data: @absinthe/socket would take it for a result of its subscriptions.
  for (std::string_view event : {"phx_reply", "subscription:data"}) {
    Reply r = room.onEvent(ctx, InboundEvent{event, payload, kNoBinary});
    EXPECT_FALSE(r.ok) << event;
    EXPECT_EQ(r.response, json::parse(R"({"reason":"unknown event"})"));
  }
  EXPECT_TRUE(ctx.broadcasts.empty());
}

TEST(ListenOnlyChannel, RefusesEveryClientEvent) {
  ListenOnlyChannel channel;
  RecordingContext ctx;
  json::value payload = json::object{};
  for (std::string_view event : {"ping", "new_msg"}) {
    Reply r = channel.onEvent(ctx, InboundEvent{event, payload, kNoBinary});
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.response, json::parse(R"({"reason":"unknown event"})"));
  }
  EXPECT_TRUE(ctx.broadcasts.empty());
  EXPECT_TRUE(channel.onJoin(ctx, payload).ok);
}

}  // namespace
}  // namespace sg::channels
