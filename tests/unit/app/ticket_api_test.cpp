// app/ticket_api: POST /api/socket/ticket for a backend (server API key), through the real
// router, minting and memory stores: the reply is the JSON boost::json writes for
// {ticket, expires_in, socket_url} (escapes in the Host included), and its ticket opens
// a socket once, bound as the body said.
#include "app/ticket_api.hpp"

#include "auth/credential_fixture.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace sg::app {
namespace {

constexpr std::string_view kKey = "sg_unit_test_key_0123456789abcdef0123";

struct TicketApiWorld : test::CredentialWorld {
  TicketApiWorld()
      : limits(LimitsConfig{}, std::chrono::seconds(10), clock),
        minting(issuer, *tokens, limits),
        keys(std::vector<std::string>{std::string(kKey)}) {
    std::string error;
    origins = auth::OriginPolicy::parse({"http://localhost"}, &error);
    EXPECT_TRUE(origins) << error;
    addTicketRoutes(router, TicketApiDeps{minting, *tokens, keys, *origins, nullptr});
  }

  http::Response post(std::string_view host, std::string body, bool secure = false,
                      std::string_view content_type = "application/json") {
    http::Request req;
    req.method = "POST";
    req.target = req.path = "/api/socket/ticket";
    req.headers.add("Host", host);
    req.headers.add("Authorization", "Bearer " + std::string(kKey));
    if (!content_type.empty()) req.headers.add("Content-Type", content_type);
    req.body = std::move(body);
    req.client_ip = req.peer_ip = "10.0.0.9";
    req.secure = secure;
    std::optional<http::Response> out;
    router.dispatch(req, [&](http::Response r) { out = std::move(r); });
    EXPECT_TRUE(out.has_value()) << "no answer";
    return out.value_or(http::Response{});
  }

  TicketMintLimits limits;
  TicketMinting minting;
  auth::ApiKeys keys;
  std::optional<auth::OriginPolicy> origins;
  http::Router router;
};

// What boost::json writes for the reply, given its ticket.
std::string expectedBody(std::string_view ticket, std::string_view socket_url) {
  return boost::json::serialize(
      boost::json::object{{"ticket", ticket}, {"expires_in", 10}, {"socket_url", socket_url}});
}

TEST(TicketApi, TheReplyIsTheJsonOfTicketExpiryAndSocketUrl) {
  TicketApiWorld w;
  auto r = w.post("127.0.0.1:4000", R"({"user_id":"42"})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto ticket = boost::json::parse(r.body).as_object().at("ticket").as_string();
  EXPECT_EQ(ticket.size(), tickets::kTicketChars);
  EXPECT_EQ(r.body, expectedBody(ticket, "ws://127.0.0.1:4000/socket"));
  auto secure = w.post("example.com", R"({"user_id":"42"})", true);
  auto ticket2 = boost::json::parse(secure.body).as_object().at("ticket").as_string();
  EXPECT_EQ(secure.body, expectedBody(ticket2, "wss://example.com/socket"));
}

TEST(TicketApi, AHostThatNeedsEscapesIsEscapedAsBoostJsonWouldEscapeIt) {
  TicketApiWorld w;
  for (std::string host : {std::string("a\"b\\c"), std::string("tab\there"), std::string("ctl\x01\x1f"),
                           std::string("utf8-\xc3\xa9")}) {
    auto r = w.post(host, R"({"user_id":"42"})");
    ASSERT_EQ(r.status, 200) << r.body;
    auto ticket = boost::json::parse(r.body).as_object().at("ticket").as_string();
    EXPECT_EQ(r.body, expectedBody(ticket, "ws://" + host + "/socket")) << host;
  }
}

TEST(TicketApi, TheTicketOpensOneSocketBoundAsTheBodySaid) {
  TicketApiWorld w;
  auto r = w.post("h", R"({"user_id":"42","client_ip":"10.1.1.1","origin":"http://localhost"})");
  ASSERT_EQ(r.status, 200) << r.body;
  std::string ticket(boost::json::parse(r.body).as_object().at("ticket").as_string());
  auto wrong_ip = w.verify(ticket, {"10.1.1.2", "http://localhost"});
  EXPECT_EQ(test::outcome(wrong_ip), "binding_mismatch");
  EXPECT_EQ(test::outcome(w.verify(ticket, {"10.1.1.1", "http://localhost"})), "token_invalid") << "spent";
  auto r2 = w.post("h", R"({"user_id":"43","client_ip":"10.1.1.1","origin":"http://localhost"})");
  std::string ticket2(boost::json::parse(r2.body).as_object().at("ticket").as_string());
  auto ok = w.verify(ticket2, {"10.1.1.1", "http://localhost"});
  ASSERT_TRUE(ok) << test::outcome(ok);
  EXPECT_EQ(ok->user_id, "43");
  EXPECT_EQ(ok->kind, CredentialKind::Ticket);
}

// Bodies the in-place reading leaves to the full parse mint the same way; the media type
// is checked either way.
TEST(TicketApi, BodiesWithEscapesOrOtherMembersAndTheMediaType) {
  TicketApiWorld w;
  auto escaped = w.post("h", R"({"user_id":"4\u0032","client_ip":"10.1.1.1","extra":1})");
  ASSERT_EQ(escaped.status, 200) << escaped.body;
  std::string ticket(boost::json::parse(escaped.body).as_object().at("ticket").as_string());
  auto who = w.verify(ticket, {"10.1.1.1", ""});
  ASSERT_TRUE(who) << test::outcome(who);
  EXPECT_EQ(who->user_id, "42");
  EXPECT_EQ(w.post("h", R"({"user_id":"42"})", false, "text/plain").status, 415);
  EXPECT_EQ(w.post("h", R"({"user_id":"42"})", false, "").status, 200) << "no Content-Type: read as JSON";
  EXPECT_EQ(w.post("h", R"({"user_id":"42"} x)").status, 400);
  EXPECT_EQ(w.post("h", R"({"user_id":")" + std::string(129, 'u') + R"("})").status, 400);
}

TEST(TicketApi, ABodyWithoutAUserIsRefused) {
  TicketApiWorld w;
  EXPECT_EQ(w.post("h", R"({"client_ip":"10.1.1.1"})").status, 400);
  EXPECT_EQ(w.post("h", R"({"user_id":42})").status, 400);
  EXPECT_EQ(w.post("h", R"([1])").status, 400);
}

}  // namespace
}  // namespace sg::app
