// WaitHandler, the inline slot a socket's readiness wait lives in: called once, empty
// from the moment the call begins (so it may be filled again from inside), and what it
// holds is released when the call returns, when it is reset, or when it is overwritten.
#include "net/wait_handler.hpp"

#include <boost/asio/error.hpp>
#include <gtest/gtest.h>

#include <memory>

namespace sg::net {
namespace {

using boost::system::error_code;

TEST(WaitHandler, IsCalledOnceWithTheCodeAndThenIsEmpty) {
  int calls = 0;
  error_code seen;
  WaitHandler handler([&](error_code ec) {
    ++calls;
    seen = ec;
  });
  ASSERT_TRUE(handler);
  handler(boost::asio::error::operation_aborted);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(seen, boost::asio::error::operation_aborted);
  EXPECT_FALSE(handler);
}

TEST(WaitHandler, IsEmptyDuringItsOwnCallSoItMayWaitAgain) {
  WaitHandler slot;
  bool was_empty_inside = false;
  bool second_ran = false;
  slot = WaitHandler([&](error_code) {
    was_empty_inside = !slot;
    slot = WaitHandler([&](error_code) { second_ran = true; });
  });
  slot({});
  EXPECT_TRUE(was_empty_inside);
  ASSERT_TRUE(slot) << "the wait set from inside the call stays";
  slot({});
  EXPECT_TRUE(second_ran);
}

TEST(WaitHandler, ReleasesWhatItHoldsAfterTheCallOnResetAndOnOverwrite) {
  auto held = std::make_shared<int>(7);
  std::weak_ptr<int> watch = held;

  WaitHandler called([held](error_code) { EXPECT_EQ(*held, 7); });
  WaitHandler reset([held](error_code) {});
  WaitHandler overwritten([held](error_code) {});
  held.reset();
  ASSERT_FALSE(watch.expired());

  called({});
  reset.reset();
  overwritten = WaitHandler([](error_code) {});
  EXPECT_TRUE(watch.expired());
}

TEST(WaitHandler, MovingTransfersTheCallAndLeavesTheSourceEmpty) {
  int calls = 0;
  auto held = std::make_shared<int>(1);
  std::weak_ptr<int> watch = held;
  WaitHandler first([&calls, held](error_code) { ++calls; });
  held.reset();
  WaitHandler second(std::move(first));
  EXPECT_FALSE(first);  // NOLINT(bugprone-use-after-move): a moved-from handler is empty
  ASSERT_TRUE(second);
  second({});
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(watch.expired()) << "exactly one copy of the capture existed";
}

}  // namespace
}  // namespace sg::net
