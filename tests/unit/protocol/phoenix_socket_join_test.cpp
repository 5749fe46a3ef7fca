// PhoenixSocket: joining and leaving channels.
#include "protocol/socket_harness.hpp"

#include <gtest/gtest.h>

namespace sg::protocol {
namespace {

using test::errorReply;
using test::FakeTransport;
using test::okReply;
using test::SocketHarness;
using test::userIdentity;

class PhoenixSocketJoin : public ::testing::Test {
 protected:
  SocketHarness harness;
  FakeTransport transport;
  std::unique_ptr<PhoenixSocket> socket = harness.makeSocket(transport);
};

TEST_F(PhoenixSocketJoin, JoinRepliesOkAndSubscribes) {
  socket->onText(R"(["1","1","room:lobby","phx_join",{}])");
  ASSERT_EQ(transport.sent.size(), 1u);
  EXPECT_FALSE(transport.sent[0].binary);
  EXPECT_EQ(transport.json(0), okReply("1", "1", "room:lobby"));
  EXPECT_EQ(harness.subscribers("room:lobby"), 1u);
  EXPECT_EQ(socket->joinedCount(), 1u);
  EXPECT_EQ(harness.metrics.joins_ok.load(), 1u);
  EXPECT_TRUE(transport.closes.empty());
}

TEST_F(PhoenixSocketJoin, UnknownTopicIsUnmatched) {
  socket->onText(R"(["1","1","lobby","phx_join",{}])");
  ASSERT_EQ(transport.sent.size(), 1u);
  // Without a join_ref, as Phoenix answers a topic it has no channel for.
  EXPECT_EQ(transport.json(0), boost::json::parse(
      R"([null,"1","lobby","phx_reply",{"status":"error","response":{"reason":"unmatched topic"}}])"));
  EXPECT_EQ(harness.subscribers("lobby"), 0u);
  EXPECT_EQ(socket->joinedCount(), 0u);
  EXPECT_EQ(harness.metrics.joins_error.load(), 1u);
}

TEST_F(PhoenixSocketJoin, AnotherUsersTopicIsUnauthorized) {
  socket->onText(R"(["1","1","user_count:7","phx_join",{}])");
  ASSERT_EQ(transport.sent.size(), 1u);
  EXPECT_EQ(transport.json(0), errorReply("1", "1", "user_count:7", "unauthorized"));
  EXPECT_EQ(harness.subscribers("user_count:7"), 0u);
}

TEST_F(PhoenixSocketJoin, OwnUsersTopicIsAllowed) {
  socket->onText(R"(["2","2","user_count:42","phx_join",{}])");
  ASSERT_EQ(transport.sent.size(), 1u);
  EXPECT_EQ(transport.json(0), okReply("2", "2", "user_count:42"));
  EXPECT_EQ(harness.subscribers("user_count:42"), 1u);
}

TEST_F(PhoenixSocketJoin, AnonymousCannotJoinAUserTopic) {
  FakeTransport anon_transport;
  auto anon = harness.makeSocket(anon_transport, phoenix::Version::V2, Identity{});
  anon->onText(R"(["1","1","user_count:42","phx_join",{}])");
  EXPECT_EQ(anon_transport.lastJson(), errorReply("1", "1", "user_count:42", "unauthorized"));
  anon->onText(R"(["3","3","room:lobby","phx_join",{}])");
  EXPECT_EQ(anon_transport.lastJson(), okReply("3", "3", "room:lobby"));
}

// Phoenix's order: the new join's reply, then phx_close for the old join (its socket
// queues the close to itself while it answers the join).
TEST_F(PhoenixSocketJoin, DuplicateJoinRepliesThenClosesTheOldJoin) {
  socket->onText(R"(["1","1","room:lobby","phx_join",{}])");
  socket->onText(R"(["3","3","room:lobby","phx_join",{}])");
  ASSERT_EQ(transport.sent.size(), 3u);
  EXPECT_EQ(transport.json(1), okReply("3", "3", "room:lobby"));
  EXPECT_EQ(transport.json(2), boost::json::parse(R"(["1","1","room:lobby","phx_close",{}])"));
  EXPECT_EQ(harness.subscribers("room:lobby"), 1u);
  EXPECT_EQ(socket->joinedCount(), 1u);
}

TEST_F(PhoenixSocketJoin, LeaveRepliesOkThenClosesAndUnsubscribes) {
  socket->onText(R"(["1","1","room:lobby","phx_join",{}])");
  socket->onText(R"(["1","2","room:lobby","phx_leave",{}])");
  ASSERT_EQ(transport.sent.size(), 3u);
  EXPECT_EQ(transport.json(1), okReply("1", "2", "room:lobby"));
  EXPECT_EQ(transport.json(2), boost::json::parse(R"(["1","1","room:lobby","phx_close",{}])"));
  EXPECT_EQ(harness.subscribers("room:lobby"), 0u);
  EXPECT_EQ(socket->joinedCount(), 0u);
}

// A phx_leave that names an earlier join of the topic must not end the current join: the
// client would lose a channel it still holds (it drops the phx_close of an old join_ref,
// but the server would have unsubscribed it). It is answered ok, as Phoenix does.
// A leave for an earlier join raced the server's close of it: ignored, as in Phoenix.
TEST_F(PhoenixSocketJoin, StaleLeaveIsIgnored) {
  socket->onText(R"(["1","1","room:lobby","phx_join",{}])");
  socket->onText(R"(["3","3","room:lobby","phx_join",{}])");
  std::size_t before = transport.sent.size();
  socket->onText(R"(["1","4","room:lobby","phx_leave",{}])");
  EXPECT_EQ(transport.sent.size(), before);
  EXPECT_EQ(harness.subscribers("room:lobby"), 1u);
  EXPECT_EQ(socket->joinedCount(), 1u);
  socket->onText(R"(["3","5","room:lobby","phx_leave",{}])");
  EXPECT_EQ(harness.subscribers("room:lobby"), 0u);
}

TEST_F(PhoenixSocketJoin, TooManyChannels) {
  FakeTransport t;
  auto limited = harness.makeSocket(t, phoenix::Version::V2, userIdentity("42"), 2);
  limited->onText(R"(["1","1","room:a","phx_join",{}])");
  limited->onText(R"(["2","2","room:b","phx_join",{}])");
  limited->onText(R"(["3","3","room:c","phx_join",{}])");
  ASSERT_EQ(t.sent.size(), 3u);
  EXPECT_EQ(t.json(2), errorReply("3", "3", "room:c", "too many channels joined"));
  EXPECT_EQ(harness.subscribers("room:c"), 0u);
  EXPECT_EQ(limited->joinedCount(), 2u);
  // Rejoining a topic already held does not count twice.
  limited->onText(R"(["4","4","room:a","phx_join",{}])");
  EXPECT_EQ(t.json(t.sent.size() - 2), okReply("4", "4", "room:a"));
}

TEST_F(PhoenixSocketJoin, LeavingFreesASlot) {
  FakeTransport t;
  auto limited = harness.makeSocket(t, phoenix::Version::V2, userIdentity("42"), 1);
  limited->onText(R"(["1","1","room:a","phx_join",{}])");
  limited->onText(R"(["1","2","room:a","phx_leave",{}])");
  limited->onText(R"(["3","3","room:b","phx_join",{}])");
  EXPECT_EQ(t.lastJson(), okReply("3", "3", "room:b"));
}

TEST_F(PhoenixSocketJoin, DestructorUnsubscribes) {
  socket->onText(R"(["1","1","room:a","phx_join",{}])");
  socket->onText(R"(["2","2","room:b","phx_join",{}])");
  EXPECT_EQ(harness.subscribers("room:a"), 1u);
  socket.reset();
  EXPECT_EQ(harness.subscribers("room:a"), 0u);
  EXPECT_EQ(harness.subscribers("room:b"), 0u);
  std::size_t before = transport.sent.size();
  harness.pubsub.publish(std::make_shared<const pubsub::Broadcast>("room:a", "msg", "{}", false));
  EXPECT_EQ(transport.sent.size(), before);
}

TEST_F(PhoenixSocketJoin, LeaveAllKeepsTheSocketUsable) {
  socket->onText(R"(["1","1","room:a","phx_join",{}])");
  socket->leaveAll();
  EXPECT_EQ(harness.subscribers("room:a"), 0u);
  EXPECT_EQ(socket->joinedCount(), 0u);
  socket->sendControl("connect_error", boost::json::object{{"code", 4403}});
  EXPECT_EQ(transport.lastJson(), boost::json::parse(R"([null,null,"phoenix","connect_error",{"code":4403}])"));
}

TEST_F(PhoenixSocketJoin, V1JoinWithoutJoinRefUsesTheRef) {
  FakeTransport t;
  auto v1 = harness.makeSocket(t, phoenix::Version::V1);
  v1->onText(R"({"topic":"room:lobby","event":"phx_join","payload":{},"ref":"1"})");
  ASSERT_EQ(t.sent.size(), 1u);
  EXPECT_EQ(t.json(0), boost::json::parse(R"({"topic":"room:lobby","event":"phx_reply",
      "payload":{"status":"ok","response":{}},"ref":"1","join_ref":"1"})"));
  EXPECT_EQ(harness.subscribers("room:lobby"), 1u);
}

// The stock client leaves a channel whose join was refused; Phoenix answers ok.
TEST_F(PhoenixSocketJoin, LeaveOfAnUnjoinedTopicIsOk) {
  socket->onText(R"(["7","8","room:never","phx_leave",{}])");
  EXPECT_EQ(transport.lastJson(), okReply("7", "8", "room:never"));
  EXPECT_EQ(socket->joinedCount(), 0u);
}

}  // namespace
}  // namespace sg::protocol
