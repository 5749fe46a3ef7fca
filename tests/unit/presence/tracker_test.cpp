// presence::Tracker: metas per socket and topic, grouped by key in the state; every
// change is one presence_diff broadcast on the topic.
#include "presence/tracker.hpp"

#include "pubsub/hub.hpp"
#include "pubsub/in_process_broker.hpp"
#include "pubsub/recording_subscriber.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <set>

namespace sg::presence {
namespace {
namespace json = boost::json;

std::vector<channels::TopicPattern> patterns(std::vector<std::string> texts) {
  std::string error;
  auto out = Tracker::parseTopics(texts, &error);
  EXPECT_TRUE(out) << error;
  return out.value_or(std::vector<channels::TopicPattern>{});
}

class TrackerTest : public ::testing::Test {
 protected:
  TrackerTest() { hub.subscribe(0, "room:a", &listener); }

  // The i-th presence_diff the topic's listener got, parsed.
  json::value diff(std::size_t i) {
    const auto& b = listener.received.at(i);
    EXPECT_EQ(b->event(), "presence_diff");
    EXPECT_EQ(b->topic(), "room:a");
    EXPECT_FALSE(b->binary());
    return json::parse(b->payload());
  }
  json::value state(const std::string& topic = "room:a") { return json::parse(tracker.state(topic)); }

  ManualClock clock;
  pubsub::InProcessBroker broker;
  pubsub::Hub hub{{[](std::function<void()> task) { task(); }}, broker};
  test::RecordingSubscriber listener;
  Tracker tracker{patterns({"room:*", "lobby"}), hub, clock, "NODEPREF"};
  int s1 = 0, s2 = 0, s3 = 0;  // three sockets (only their addresses are used)
};

TEST_F(TrackerTest, CoversItsPatternsOnly) {
  EXPECT_TRUE(tracker.covers("room:a"));
  EXPECT_TRUE(tracker.covers("lobby"));
  EXPECT_FALSE(tracker.covers("room:"));
  EXPECT_FALSE(tracker.covers("lobby:1"));
  EXPECT_FALSE(tracker.covers("user_count:1"));
}

TEST_F(TrackerTest, ParseTopicsNamesTheBadPattern) {
  std::string error;
  EXPECT_FALSE(Tracker::parseTopics({"room:*", "room:{open"}, &error));
  EXPECT_EQ(error, "channels.presence_topics: bad pattern 'room:{open'");
}

TEST_F(TrackerTest, TrackPublishesOneJoinDiff) {
  tracker.track("room:a", &s1, "42", "web");
  ASSERT_EQ(listener.received.size(), 1u);
  auto d = diff(0);
  EXPECT_EQ(d.at("leaves"), json::object{});
  const auto& metas = d.at("joins").at("42").at("metas").as_array();
  ASSERT_EQ(metas.size(), 1u);
  EXPECT_EQ(metas[0].at("online_at"), 1'700'000'000);
  EXPECT_EQ(metas[0].at("client"), "web");
  EXPECT_TRUE(metas[0].at("phx_ref").as_string().starts_with("NODEPREF"));
  EXPECT_EQ(tracker.size(), 1u);
}

TEST_F(TrackerTest, NoClientNoClientField) {
  tracker.track("room:a", &s1, "42", "");
  auto meta = diff(0).at("joins").at("42").at("metas").at(0).as_object();
  EXPECT_FALSE(meta.contains("client"));
  EXPECT_EQ(meta.size(), 2u);  // phx_ref, online_at
}

TEST_F(TrackerTest, OneUserWithTwoSocketsIsOneKeyWithTwoMetasInJoinOrder) {
  tracker.track("room:a", &s1, "42", "web");
  clock.advance(std::chrono::seconds(5));
  tracker.track("room:a", &s2, "7", "");
  tracker.track("room:a", &s3, "42", "phone");
  auto s = state();
  ASSERT_EQ(s.as_object().size(), 2u);
  const auto& metas = s.at("42").at("metas").as_array();
  ASSERT_EQ(metas.size(), 2u);
  EXPECT_EQ(metas[0].at("client"), "web");
  EXPECT_EQ(metas[1].at("client"), "phone");
  EXPECT_EQ(metas[1].at("online_at"), 1'700'000'005);
  EXPECT_NE(metas[0].at("phx_ref"), metas[1].at("phx_ref"));
  EXPECT_EQ(s.at("7").at("metas").as_array().size(), 1u);
  EXPECT_EQ(state("room:b"), json::object{});
}

TEST_F(TrackerTest, UntrackPublishesTheSameMetaAsALeave) {
  tracker.track("room:a", &s1, "42", "web");
  tracker.track("room:a", &s2, "42", "phone");
  tracker.untrack("room:a", &s1);
  ASSERT_EQ(listener.received.size(), 3u);
  auto leave = diff(2);
  EXPECT_EQ(leave.at("joins"), json::object{});
  EXPECT_EQ(leave.at("leaves").at("42").at("metas"), diff(0).at("joins").at("42").at("metas"));
  auto s = state();
  const auto& left = s.at("42").at("metas").as_array();
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].at("client"), "phone");
  EXPECT_EQ(tracker.size(), 1u);
}

TEST_F(TrackerTest, UntrackOfWhatIsNotTrackedDoesNothing) {
  tracker.untrack("room:a", &s1);
  tracker.track("room:a", &s1, "42", "");
  tracker.untrack("room:a", &s2);
  tracker.untrack("room:b", &s1);
  EXPECT_EQ(listener.received.size(), 1u);
  EXPECT_EQ(tracker.size(), 1u);
}

TEST_F(TrackerTest, LastLeaveEmptiesTheTopic) {
  tracker.track("room:a", &s1, "42", "");
  tracker.untrack("room:a", &s1);
  EXPECT_EQ(state(), json::object{});
  EXPECT_EQ(tracker.size(), 0u);
}

TEST_F(TrackerTest, TrackingAgainReplacesTheOwnersMeta) {
  tracker.track("room:a", &s1, "42", "first");
  tracker.track("room:a", &s1, "42", "second");
  ASSERT_EQ(listener.received.size(), 3u);
  EXPECT_EQ(diff(1).at("leaves").at("42").at("metas").at(0).at("client"), "first");
  EXPECT_EQ(diff(2).at("joins").at("42").at("metas").at(0).at("client"), "second");
  auto s = state();
  const auto& metas = s.at("42").at("metas").as_array();
  ASSERT_EQ(metas.size(), 1u);
  EXPECT_EQ(metas[0].at("client"), "second");
  EXPECT_EQ(tracker.size(), 1u);
}

TEST_F(TrackerTest, RefsAreUniqueAndCarryTheNodePrefix) {
  std::set<std::string> refs;
  for (int i = 0; i < 1000; ++i) {
    tracker.track("room:a", &s1, "42", "");
    auto ref = std::string(diff(listener.received.size() - 1).at("joins").at("42").at("metas").at(0).at("phx_ref").as_string());
    EXPECT_EQ(ref.substr(0, 8), "NODEPREF");
    EXPECT_EQ(ref.size(), 16u);
    refs.insert(ref);
  }
  EXPECT_EQ(refs.size(), 1000u);
}

TEST_F(TrackerTest, RandomPrefixesDiffer) {
  Tracker a(patterns({"room:*"}), hub, clock), b(patterns({"room:*"}), hub, clock);
  a.track("room:a", &s1, "1", "");
  b.track("room:a", &s1, "1", "");
  auto ra = std::string(diff(0).at("joins").at("1").at("metas").at(0).at("phx_ref").as_string());
  auto rb = std::string(diff(1).at("joins").at("1").at("metas").at(0).at("phx_ref").as_string());
  EXPECT_NE(ra.substr(0, 8), rb.substr(0, 8));
}

TEST(TrackerClient, ValidNames) {
  EXPECT_TRUE(Tracker::validClient("web"));
  EXPECT_TRUE(Tracker::validClient("iPhone 15 (Ana's)"));
  EXPECT_TRUE(Tracker::validClient(std::string(64, 'x')));
  EXPECT_TRUE(Tracker::validClient("\xc3\xa9t\xc3\xa9"));
  EXPECT_FALSE(Tracker::validClient(""));
  EXPECT_FALSE(Tracker::validClient(std::string(65, 'x')));
  EXPECT_FALSE(Tracker::validClient("a\nb"));
  EXPECT_FALSE(Tracker::validClient(std::string("a\0b", 3)));
  EXPECT_FALSE(Tracker::validClient("tab\there"));
  EXPECT_FALSE(Tracker::validClient("del\x7f"));
}

}  // namespace
}  // namespace sg::presence
