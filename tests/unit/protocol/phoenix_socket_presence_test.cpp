// PhoenixSocket with presence: a join of a presence topic is answered, then followed by
// presence_state (with the join's join_ref); joins, leaves and disconnects reach everyone
// in the topic as one shared presence_diff frame; other topics see none of it.
#include "protocol/socket_harness.hpp"

#include "presence/tracker.hpp"

#include <gtest/gtest.h>

namespace sg::protocol {
namespace {

using test::FakeTransport;
using test::SocketHarness;
using test::userIdentity;
namespace json = boost::json;

class PhoenixSocketPresence : public ::testing::Test {
 protected:
  PhoenixSocketPresence() { harness.deps.presence = &tracker; }

  static void join(PhoenixSocket& s, std::string_view topic, std::string_view ref = "1",
                   std::string_view payload = "{}") {
    s.onText(R"([")" + std::string(ref) + R"(",")" + std::string(ref) + R"(",")" + std::string(topic) +
             R"(","phx_join",)" + std::string(payload) + "]");
  }
  // The events a transport got, in order.
  static std::vector<std::string> events(const FakeTransport& t) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < t.sent.size(); ++i) out.emplace_back(t.json(i).at(3).as_string());
    return out;
  }
  static const json::value* find(const FakeTransport& t, std::string_view event, std::size_t nth = 0) {
    static json::value found;
    for (std::size_t i = 0; i < t.sent.size(); ++i) {
      auto v = t.json(i);
      if (v.at(3).as_string() == event && nth-- == 0) return &(found = v);
    }
    return nullptr;
  }

  ManualClock clock;
  SocketHarness harness;
  presence::Tracker tracker{*presence::Tracker::parseTopics({"room:*"}, nullptr), harness.pubsub, clock, "NODEPREF"};
  FakeTransport ta, tb, tc;
  std::unique_ptr<PhoenixSocket> a = harness.makeSocket(ta, phoenix::Version::V2, userIdentity("1"));
  std::unique_ptr<PhoenixSocket> b = harness.makeSocket(tb, phoenix::Version::V2, userIdentity("2"));
  std::unique_ptr<PhoenixSocket> c = harness.makeSocket(tc, phoenix::Version::V2, userIdentity("1"));
};

TEST_F(PhoenixSocketPresence, JoinIsAnsweredThenPresenceStateWithTheJoinRef) {
  join(*a, "room:x", "7", R"({"client":"web"})");
  // (The harness delivers broadcasts inline, so the socket's own diff comes before the
  // state here; on a server it is posted to the shard and comes after.)
  ASSERT_EQ(events(ta), (std::vector<std::string>{"phx_reply", "presence_diff", "presence_state"}));
  EXPECT_EQ(ta.json(0), test::okReply("7", "7", "room:x"));
  auto state = ta.json(2);
  EXPECT_EQ(state.at(0), "7");
  EXPECT_EQ(state.at(1), nullptr);
  const auto& meta = state.at(4).at("1").at("metas").at(0);
  EXPECT_EQ(meta.at("client"), "web");
  EXPECT_EQ(meta.at("online_at"), 1'700'000'000);
  EXPECT_EQ(ta.json(1).at(0), nullptr);  // a diff is a broadcast
  EXPECT_EQ(ta.json(1).at(4).at("joins").at("1").at("metas").at(0), meta);
}

TEST_F(PhoenixSocketPresence, EveryoneGetsOneSharedDiffFrame) {
  join(*a, "room:x");
  join(*b, "room:x");
  join(*c, "room:x", "1", R"({"client":"phone"})");
  // c's join diff: the same frame object on all three sockets.
  const auto& fa = ta.sent.back().frame;
  ASSERT_EQ(events(ta).back(), "presence_diff");
  EXPECT_EQ(fa.get(), tb.sent.back().frame.get());
  auto c_events = events(tc);
  auto c_diff = std::find(c_events.begin(), c_events.end(), "presence_diff") - c_events.begin();
  EXPECT_EQ(fa.get(), tc.sent.at(static_cast<std::size_t>(c_diff)).frame.get());
  // c's state: user 1 with two metas, user 2 with one.
  auto state = find(tc, "presence_state")->at(4);
  EXPECT_EQ(state.at("1").at("metas").as_array().size(), 2u);
  EXPECT_EQ(state.at("2").at("metas").as_array().size(), 1u);
}

TEST_F(PhoenixSocketPresence, LeaveAndDisconnectAreLeaveDiffs) {
  join(*a, "room:x");
  join(*b, "room:x");
  join(*c, "room:x");
  auto before = ta.sent.size();
  b->onText(R"(["1","2","room:x","phx_leave",{}])");
  ASSERT_EQ(ta.sent.size(), before + 1);
  auto leave = ta.lastJson().at(4);
  EXPECT_EQ(leave.at("joins"), json::object{});
  EXPECT_EQ(leave.at("leaves").at("2").at("metas").as_array().size(), 1u);
  c->leaveAll();  // the connection ended
  ASSERT_EQ(ta.sent.size(), before + 2);
  EXPECT_EQ(ta.lastJson().at(4).at("leaves").at("1").at("metas").as_array().size(), 1u);
  EXPECT_EQ(tracker.size(), 1u);
  c.reset();  // nothing more when the socket goes
  EXPECT_EQ(ta.sent.size(), before + 2);
}

TEST_F(PhoenixSocketPresence, ASecondJoinOfTheTopicReplacesTheMeta) {
  join(*b, "room:x");
  join(*a, "room:x", "1", R"({"client":"first"})");
  auto before = tb.sent.size();
  join(*a, "room:x", "5", R"({"client":"second"})");
  ASSERT_EQ(tb.sent.size(), before + 2);
  EXPECT_EQ(tb.json(before).at(4).at("leaves").at("1").at("metas").at(0).at("client"), "first");
  EXPECT_EQ(tb.json(before + 1).at(4).at("joins").at("1").at("metas").at(0).at("client"), "second");
  // The new join's state carries the new join_ref.
  EXPECT_EQ(find(ta, "presence_state", 1)->at(0), "5");
  EXPECT_EQ(tracker.size(), 2u);
}

TEST_F(PhoenixSocketPresence, OtherTopicsSeeNoPresence) {
  join(*a, "user_count:1");
  join(*b, "room:x");
  EXPECT_EQ(events(ta), (std::vector<std::string>{"phx_reply"}));
  EXPECT_EQ(tracker.size(), 1u);
  a->onText(R"(["1","2","user_count:1","phx_leave",{}])");
  EXPECT_EQ(tracker.size(), 1u);
}

TEST_F(PhoenixSocketPresence, ABadClientRefusesTheJoin) {
  for (auto payload : {R"({"client":""})", R"({"client":7})", R"({"client":"a\nb"})"}) {
    ta.sent.clear();
    join(*a, "room:x", "3", payload);
    ASSERT_EQ(ta.sent.size(), 1u) << payload;
    EXPECT_EQ(ta.json(0), test::errorReply("3", "3", "room:x", "invalid client")) << payload;
  }
  EXPECT_EQ(harness.subscribers("room:x"), 0u);
  EXPECT_EQ(tracker.size(), 0u);
}

TEST_F(PhoenixSocketPresence, AnAnonymousSocketGetsTheStateButIsNotTracked) {
  join(*a, "room:x");
  FakeTransport tanon;
  auto anon = harness.makeSocket(tanon, phoenix::Version::V2, Identity{});
  auto before = ta.sent.size();
  join(*anon, "room:x");
  EXPECT_EQ(events(tanon), (std::vector<std::string>{"phx_reply", "presence_state"}));
  EXPECT_EQ(tanon.json(1).at(4).as_object().size(), 1u);
  EXPECT_EQ(ta.sent.size(), before);
  anon->leaveAll();
  EXPECT_EQ(ta.sent.size(), before);
}

TEST_F(PhoenixSocketPresence, ClientsCannotSendPresenceEventsOnAPresenceTopic) {
  join(*a, "room:x");
  join(*b, "room:x");
  join(*a, "user_count:1", "9");
  auto before = tb.sent.size();
  for (auto event : {"presence_diff", "presence_state"}) {
    a->onText(R"(["1","5","room:x",")" + std::string(event) + R"(",{"joins":{"666":{"metas":[{"phx_ref":"x"}]}},"leaves":{}}])");
    EXPECT_EQ(ta.lastJson(), test::errorReply("1", "5", "room:x", "reserved event"));
  }
  EXPECT_EQ(tb.sent.size(), before);
  // Elsewhere the event is the channel's business (user_count refuses every event anyway).
  a->onText(R"(["9","6","user_count:1","presence_diff",{}])");
  EXPECT_EQ(ta.lastJson(), test::errorReply("9", "6", "user_count:1", "unknown event"));
}

}  // namespace
}  // namespace sg::protocol
