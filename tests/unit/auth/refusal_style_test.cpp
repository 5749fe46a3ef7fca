// How a refused handshake is told: the client's opt-in, auth.reject_with, and the plain
// HTTP refusal's status, body and Retry-After.
#include "auth/refusal_style.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace sg::auth {
namespace {

http::Request upgrade(std::vector<std::pair<std::string, std::string>> query) {
  http::Request r;
  r.method = "GET";
  r.path = "/socket/websocket";
  r.query = std::move(query);
  return r;
}

AuthConfig withRejectWith(std::string style) {
  AuthConfig c;
  c.reject_with = std::move(style);
  return c;
}

TEST(RefusalStyle, AutoAsksTheClient) {
  AuthConfig c;  // the default is "auto"
  EXPECT_EQ(c.reject_with, "auto");
  EXPECT_FALSE(refusesWithMessage(c, upgrade({{"vsn", "2.0.0"}})));
  EXPECT_TRUE(refusesWithMessage(c, upgrade({{"vsn", "2.0.0"}, {"sockguard_refusal", "connect_error"}})));
  // Only that exact value: anything else is a client that did not ask.
  EXPECT_FALSE(refusesWithMessage(c, upgrade({{"sockguard_refusal", "1"}})));
  EXPECT_FALSE(refusesWithMessage(c, upgrade({{"sockguard_refusal", ""}})));
}

TEST(RefusalStyle, RejectWithForcesOneStyle) {
  auto asks = upgrade({{"sockguard_refusal", "connect_error"}});
  auto plain = upgrade({});
  EXPECT_TRUE(refusesWithMessage(withRejectWith("message"), plain));
  EXPECT_FALSE(refusesWithMessage(withRejectWith("http"), asks));
}

TEST(RefusalStyle, BareSocketsOnlyForClientsThatReadConnectError) {
  auto asks = upgrade({{"sockguard_refusal", "connect_error"}});
  auto plain = upgrade({});
  EXPECT_FALSE(mayAuthenticateLater(AuthConfig{}, plain));
  EXPECT_TRUE(mayAuthenticateLater(AuthConfig{}, asks));
  EXPECT_TRUE(mayAuthenticateLater(withRejectWith("message"), plain));
  // Under "http" the client still reads connect_error after its upgrade (auth_timeout).
  EXPECT_TRUE(mayAuthenticateLater(withRejectWith("http"), asks));
  EXPECT_FALSE(mayAuthenticateLater(withRejectWith("http"), plain));
}

std::optional<std::string> header(const http::Response& r, std::string_view name) {
  for (const auto& h : r.headers)
    if (h.name == name) return h.value;
  return std::nullopt;
}

TEST(RefusalStyle, HttpRefusalStatusBodyAndRetryAfter) {
  auto missing = refusalResponse(Refusal{CloseReason::MissingCredentials, std::nullopt});
  EXPECT_EQ(missing.status, 401);
  EXPECT_EQ(boost::json::parse(missing.body),
            boost::json::parse(R"({"error":"missing_credentials","message":"WebSocket connection refused",
                                   "reconnect":"after_sign_in","retry_after_ms":null})"));
  EXPECT_FALSE(header(missing, "Retry-After"));

  EXPECT_EQ(refusalResponse(Refusal{CloseReason::BadRequest, std::nullopt}).status, 400);
  EXPECT_EQ(refusalResponse(Refusal{CloseReason::TokenExpired, std::nullopt}).status, 401);
  EXPECT_EQ(refusalResponse(Refusal{CloseReason::ForbiddenOrigin, std::nullopt}).status, 403);
  EXPECT_EQ(refusalResponse(Refusal{CloseReason::SessionRevoked, std::nullopt}).status, 403);

  auto limited = refusalResponse(Refusal{CloseReason::RateLimited, 1500});
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(boost::json::parse(limited.body).at("retry_after_ms"), 1500);
  EXPECT_EQ(header(limited, "Retry-After"), "2");  // whole seconds, rounded up

  auto busy = refusalResponse(Refusal{CloseReason::ServerBusy, 5000});
  EXPECT_EQ(busy.status, 503);
  EXPECT_EQ(header(busy, "Retry-After"), "5");
}

}  // namespace
}  // namespace sg::auth
