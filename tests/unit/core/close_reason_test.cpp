// The close-reason table against DESIGN §4.
#include "core/close_reason.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace sg {
namespace {

struct Row {
  CloseReason reason;
  std::uint16_t code;
  std::string_view name;
  std::string_view advice;
};

constexpr Row kDesignTable[] = {
    {CloseReason::BadRequest, 4400, "bad_request", "never"},
    {CloseReason::MissingCredentials, 4401, "missing_credentials", "after_sign_in"},
    {CloseReason::TokenInvalid, 4401, "token_invalid", "with_new_credentials"},
    {CloseReason::TokenExpired, 4401, "token_expired", "with_new_credentials"},
    {CloseReason::BindingMismatch, 4401, "binding_mismatch", "with_new_credentials"},
    {CloseReason::ForbiddenOrigin, 4403, "forbidden_origin", "never"},
    {CloseReason::SessionRevoked, 4403, "session_revoked", "never"},
    {CloseReason::AuthTimeout, 4408, "auth_timeout", "backoff"},
    {CloseReason::RateLimited, 4429, "rate_limited", "after_retry_after"},
    {CloseReason::ServerBusy, 4503, "server_busy", "jitter"},
    {CloseReason::SlowConsumer, 4509, "slow_consumer", "backoff"},
    {CloseReason::GoingAway, 1001, "going_away", "jitter"},
    {CloseReason::PolicyViolation, 1008, "policy_violation", "backoff"},
    {CloseReason::MessageTooBig, 1009, "message_too_big", "backoff"},
};

TEST(CloseReason, MatchesDesignTable) {
  for (const auto& row : kDesignTable) {
    const CloseInfo& info = closeInfo(row.reason);
    EXPECT_EQ(info.code, row.code) << row.name;
    EXPECT_EQ(info.name, row.name);
    EXPECT_EQ(reconnectAdviceName(info.advice), row.advice) << row.name;
  }
}

TEST(CloseReason, WebSocketLayerErrorsUseTheRfcCodes) {
  EXPECT_EQ(closeInfo(CloseReason::ProtocolError).code, 1002);
  EXPECT_EQ(closeInfo(CloseReason::ProtocolError).name, "protocol_error");
  EXPECT_EQ(closeInfo(CloseReason::InvalidPayload).code, 1007);
  EXPECT_EQ(closeInfo(CloseReason::InvalidPayload).name, "invalid_payload");
  EXPECT_EQ(closeInfo(CloseReason::InvalidPayload).advice, ReconnectAdvice::Backoff);
}

TEST(CloseReason, HeartbeatTimeoutIsATimeout) {
  const CloseInfo& info = closeInfo(CloseReason::HeartbeatTimeout);
  EXPECT_EQ(info.code, 4408);
  EXPECT_EQ(info.name, "heartbeat_timeout");
  EXPECT_EQ(info.advice, ReconnectAdvice::Backoff);
}

TEST(CloseReason, NamesAreUniqueAndCodesInRange) {
  std::set<std::string_view> names;
  for (int i = 0; i < kCloseReasonCount; ++i) {
    const CloseInfo& info = closeInfo(static_cast<CloseReason>(i));
    EXPECT_TRUE(names.insert(info.name).second) << "duplicate name " << info.name;
    // Application codes 4000-4999, or the standard codes of RFC 6455.
    EXPECT_TRUE((info.code >= 4000 && info.code <= 4999) || info.code == 1001 || info.code == 1002 ||
                info.code == 1007 || info.code == 1008 || info.code == 1009)
        << info.name;
    EXPECT_GE(info.http_status, 400) << info.name;
    EXPECT_LT(info.http_status, 600) << info.name;
  }
}

TEST(CloseReason, HttpStatusForRejectWithHttp) {
  EXPECT_EQ(closeInfo(CloseReason::BadRequest).http_status, 400);
  EXPECT_EQ(closeInfo(CloseReason::TokenExpired).http_status, 401);
  EXPECT_EQ(closeInfo(CloseReason::ForbiddenOrigin).http_status, 403);
  EXPECT_EQ(closeInfo(CloseReason::RateLimited).http_status, 429);
  EXPECT_EQ(closeInfo(CloseReason::ServerBusy).http_status, 503);
}

}  // namespace
}  // namespace sg
