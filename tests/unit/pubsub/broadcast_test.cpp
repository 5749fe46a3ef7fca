// Broadcast's per-codec encoding cache: encoded once, shared by every reader.
#include "pubsub/broadcast.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <thread>
#include <vector>

namespace sg::pubsub {
namespace {

// Two encodings, as two protocols would register them.
const CodecId kCodecA = registerCodec("test.a");
const CodecId kCodecB = registerCodec("test.b");

TEST(Broadcast, KeepsItsFields) {
  Broadcast b("room:1", "msg", R"({"a":1})", false);
  EXPECT_EQ(b.topic(), "room:1");
  EXPECT_EQ(b.event(), "msg");
  EXPECT_EQ(b.payload(), R"({"a":1})");
  EXPECT_FALSE(b.binary());
  EXPECT_TRUE(Broadcast("t", "e", "\x01\x02", true).binary());
}

TEST(Broadcast, EncodesOncePerCodec) {
  Broadcast b("t", "e", "{}", false);
  int calls = 0;
  auto encoder = [&] {
    ++calls;
    return std::string("frame") + std::to_string(calls);
  };
  const Frame& first = b.encoded(kCodecA, encoder);
  const Frame& again = b.encoded(kCodecA, encoder);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(first.get(), again.get());
  EXPECT_EQ(*first, "frame1");
  const Frame& v1 = b.encoded(kCodecB, encoder);
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(*v1, "frame2");
  EXPECT_NE(first.get(), v1.get());
}

TEST(Broadcast, EncodesOnceFromFourThreads) {
  constexpr int kThreads = 4;
  Broadcast b("t", "e", "{}", false);
  std::atomic<int> calls{0};
  std::latch start(kThreads);
  std::vector<const std::string*> seen(kThreads);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < seen.size(); ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      const Frame& f = b.encoded(kCodecA, [&] {
        calls.fetch_add(1);
        return std::string("encoded");
      });
      seen[i] = f.get();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(calls.load(), 1);
  for (const auto* p : seen) {
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p, seen[0]);
    EXPECT_EQ(*p, "encoded");
  }
}

}  // namespace
}  // namespace sg::pubsub

namespace sg::pubsub {
namespace {

TEST(Broadcast, CodecIdsAreDistinct) {
  EXPECT_NE(kCodecA, kCodecB);
  EXPECT_LT(kCodecA, kMaxCodecs);
  EXPECT_LT(kCodecB, kMaxCodecs);
}

}  // namespace
}  // namespace sg::pubsub
