// The per-socket outbound queue: byte cap, shared frames, dropping on close.
#include "net/outbound_queue.hpp"

#include <gtest/gtest.h>

namespace sg::net {
namespace {

pubsub::Frame frame(std::size_t n, char c = 'x') { return std::make_shared<const std::string>(n, c); }

TEST(OutboundQueue, StartsEmpty) {
  OutboundQueue q(100);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.size(), 0u);
  EXPECT_EQ(q.bytes(), 0u);
}

TEST(OutboundQueue, AcceptsUpToTheCapExactly) {
  OutboundQueue q(100);
  EXPECT_TRUE(q.push(frame(60), ws::Opcode::Text));
  EXPECT_TRUE(q.push(frame(40), ws::Opcode::Binary));
  EXPECT_EQ(q.bytes(), 100u);
  EXPECT_FALSE(q.push(frame(1), ws::Opcode::Text));
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(q.bytes(), 100u);  // a refused frame leaves no trace
}

TEST(OutboundQueue, OversizeFrameIntoAnEmptyQueue) {
  OutboundQueue q(100);
  EXPECT_TRUE(q.push(frame(500), ws::Opcode::Text));
  EXPECT_EQ(q.bytes(), 500u);
  EXPECT_FALSE(q.push(frame(1), ws::Opcode::Text));
  q.pop();
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.bytes(), 0u);
}

TEST(OutboundQueue, OversizeFrameRefusedWhenNotEmpty) {
  OutboundQueue q(100);
  ASSERT_TRUE(q.push(frame(1), ws::Opcode::Text));
  EXPECT_FALSE(q.push(frame(500), ws::Opcode::Text));
  EXPECT_EQ(q.size(), 1u);
}

TEST(OutboundQueue, PopsInOrderAndAccountsBytes) {
  OutboundQueue q(1000);
  auto a = frame(10, 'a');
  auto b = frame(20, 'b');
  auto c = frame(30, 'c');
  q.push(a, ws::Opcode::Text);
  q.push(b, ws::Opcode::Binary);
  q.push(c, ws::Opcode::Text);
  EXPECT_EQ(q.bytes(), 60u);
  EXPECT_EQ(q.front().frame, a);
  EXPECT_EQ(q.front().opcode, ws::Opcode::Text);
  q.pop();
  EXPECT_EQ(q.bytes(), 50u);
  EXPECT_EQ(q.front().frame, b);
  EXPECT_EQ(q.front().opcode, ws::Opcode::Binary);
  q.pop();
  EXPECT_EQ(q.front().frame, c);
  q.pop();
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.bytes(), 0u);
}

TEST(OutboundQueue, SharesFramesInsteadOfCopying) {
  OutboundQueue q1(100), q2(100);
  auto shared = frame(10);
  q1.push(shared, ws::Opcode::Text);
  q2.push(shared, ws::Opcode::Text);
  EXPECT_EQ(q1.front().frame.get(), q2.front().frame.get());
  EXPECT_EQ(shared.use_count(), 3);
  q1.pop();
  EXPECT_EQ(shared.use_count(), 2);  // a popped entry no longer holds the frame
}

TEST(OutboundQueue, DropKeepingFrontKeepsTheFrameBeingWritten) {
  OutboundQueue q(1000);
  auto a = frame(10, 'a');
  q.push(a, ws::Opcode::Text);
  q.push(frame(20), ws::Opcode::Text);
  q.push(frame(30), ws::Opcode::Text);
  q.drop(/*keep_front=*/true);
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(q.bytes(), 10u);
  EXPECT_EQ(q.front().frame, a);
  q.pop();
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.bytes(), 0u);
}

TEST(OutboundQueue, DropKeepingFrontAfterPops) {
  OutboundQueue q(1000);
  q.push(frame(1), ws::Opcode::Text);
  q.push(frame(2), ws::Opcode::Text);
  q.push(frame(3), ws::Opcode::Text);
  q.pop();
  q.drop(/*keep_front=*/true);
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(q.bytes(), 2u);
}

TEST(OutboundQueue, DropKeepingFrontOnEmptyQueue) {
  OutboundQueue q(10);
  q.drop(/*keep_front=*/true);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.bytes(), 0u);
}

TEST(OutboundQueue, DropEverything) {
  OutboundQueue q(1000);
  q.push(frame(1), ws::Opcode::Text);
  q.push(frame(2), ws::Opcode::Text);
  q.drop(/*keep_front=*/false);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.bytes(), 0u);
}

TEST(OutboundQueue, CloseFrameGoesPastTheCap) {
  OutboundQueue q(10);
  ASSERT_TRUE(q.push(frame(10), ws::Opcode::Text));
  EXPECT_FALSE(q.push(frame(4), ws::Opcode::Close));
  q.pushAnyway(frame(4), ws::Opcode::Close);
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(q.at(1).opcode, ws::Opcode::Close);
  EXPECT_EQ(q.bytes(), 14u);
}

TEST(OutboundQueue, CapAppliesAgainAfterDraining) {
  OutboundQueue q(100);
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 40; ++i) q.push(frame(10), ws::Opcode::Text);
    EXPECT_EQ(q.size(), 10u) << round;
    EXPECT_EQ(q.bytes(), 100u);
    while (!q.empty()) q.pop();
    EXPECT_EQ(q.bytes(), 0u);
  }
}

}  // namespace
}  // namespace sg::net
