// The connect_error message of DESIGN §4.
#include "protocol/connect_error.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace sg::protocol {
namespace {
namespace json = boost::json;

TEST(ConnectError, V2TokenExpired) {
  std::string out = encodeConnectError(phoenix::Version::V2, CloseReason::TokenExpired, std::nullopt);
  EXPECT_EQ(json::parse(out), json::parse(R"([null,null,"phoenix","connect_error",
      {"code":4401,"reason":"token_expired","reconnect":"with_new_credentials","retry_after_ms":null}])"));
}

TEST(ConnectError, V1IsTheSameAsAnObject) {
  std::string out = encodeConnectError(phoenix::Version::V1, CloseReason::TokenExpired, std::nullopt);
  EXPECT_EQ(json::parse(out), json::parse(R"({"topic":"phoenix","event":"connect_error","ref":null,"join_ref":null,
      "payload":{"code":4401,"reason":"token_expired","reconnect":"with_new_credentials","retry_after_ms":null}})"));
}

TEST(ConnectError, CarriesRetryAfter) {
  std::string out = encodeConnectError(phoenix::Version::V2, CloseReason::RateLimited, 1500);
  EXPECT_EQ(json::parse(out), json::parse(R"([null,null,"phoenix","connect_error",
      {"code":4429,"reason":"rate_limited","reconnect":"after_retry_after","retry_after_ms":1500}])"));
}

TEST(ConnectError, DecodesAsAPhoenixMessage) {
  std::string out = encodeConnectError(phoenix::Version::V2, CloseReason::ForbiddenOrigin, std::nullopt);
  auto d = phoenix::decodeText(phoenix::Version::V2, out);
  ASSERT_TRUE(d.has_value()) << (d ? "" : d.error().reason);
  EXPECT_EQ(d->topic, "phoenix");
  EXPECT_EQ(d->event, "connect_error");
  EXPECT_EQ(d->payload.at("code"), 4403);
  EXPECT_EQ(d->payload.at("reconnect"), "never");
}

}  // namespace
}  // namespace sg::protocol
