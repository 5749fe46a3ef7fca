// The server side of the WebSocket opening handshake (RFC 6455 §4.2): which requests ask
// for an upgrade, the accept key (the RFC's own sample, §1.3), malformed keys and
// versions, and the 101 answer.
#include "net/ws_handshake.hpp"

#include <gtest/gtest.h>

namespace sg::net::ws {
namespace {

http::Request upgradeRequest(std::string key = "dGhlIHNhbXBsZSBub25jZQ==", std::string version = "13") {
  http::Request r;
  r.method = "GET";
  r.path = "/socket/websocket";
  r.headers = {{"Host", "server.example.com"},
               {"Upgrade", "websocket"},
               {"Connection", "Upgrade"},
               {"Sec-WebSocket-Key", std::move(key)},
               {"Sec-WebSocket-Version", std::move(version)}};
  return r;
}

void setHeader(http::Request& r, std::string_view name, std::string value) {
  r.headers.set(name, value);
}

void removeHeader(http::Request& r, std::string_view name) {
  r.headers.remove(name);
}

// --- isUpgrade -------------------------------------------------------------------------

TEST(WsHandshakeIsUpgrade, APlainUpgradeRequest) { EXPECT_TRUE(isUpgrade(upgradeRequest())); }

TEST(WsHandshakeIsUpgrade, TokensAreFoundInListsWhateverTheirCaseAndSpacing) {
  auto r = upgradeRequest();
  setHeader(r, "Connection", "keep-alive,\tUPGRADE ");
  setHeader(r, "Upgrade", "h2c , WebSocket");
  EXPECT_TRUE(isUpgrade(r));
}

TEST(WsHandshakeIsUpgrade, ATokenInASecondHeaderLineCounts) {
  auto r = upgradeRequest();
  setHeader(r, "Connection", "keep-alive");
  r.headers.push_back({"connection", "upgrade"});
  EXPECT_TRUE(isUpgrade(r));
}

TEST(WsHandshakeIsUpgrade, OnlyWholeTokensCount) {
  auto r = upgradeRequest();
  setHeader(r, "Connection", "upgraded, keep-alive");
  EXPECT_FALSE(isUpgrade(r));
  r = upgradeRequest();
  setHeader(r, "Upgrade", "websocket2");
  EXPECT_FALSE(isUpgrade(r));
  r = upgradeRequest();
  setHeader(r, "Connection", "keep-alive upgrade");
  EXPECT_FALSE(isUpgrade(r));
}

TEST(WsHandshakeIsUpgrade, NeedsGetAndBothHeaders) {
  auto r = upgradeRequest();
  r.method = "POST";
  EXPECT_FALSE(isUpgrade(r));
  r = upgradeRequest();
  removeHeader(r, "Upgrade");
  EXPECT_FALSE(isUpgrade(r));
  r = upgradeRequest();
  removeHeader(r, "Connection");
  EXPECT_FALSE(isUpgrade(r));
  r = upgradeRequest();
  setHeader(r, "Connection", "");
  EXPECT_FALSE(isUpgrade(r));
}

// --- acceptKey -------------------------------------------------------------------------

TEST(WsHandshakeAcceptKey, TheRfcSample) {
  auto accept = acceptKey(upgradeRequest());
  ASSERT_TRUE(accept);
  EXPECT_EQ(*accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WsHandshakeAcceptKey, SurroundingWhitespaceIsNotPartOfTheKey) {
  auto accept = acceptKey(upgradeRequest(" dGhlIHNhbXBsZSBub25jZQ==\t"));
  ASSERT_TRUE(accept);
  EXPECT_EQ(*accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WsHandshakeAcceptKey, AnotherKeyAnotherAnswer) {
  auto accept = acceptKey(upgradeRequest("AAAAAAAAAAAAAAAAAAAAAA=="));
  ASSERT_TRUE(accept);
  EXPECT_NE(*accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  EXPECT_EQ(accept->size(), 28u);  // base64 of a 20-byte SHA-1
}

TEST(WsHandshakeAcceptKey, MalformedKeysAreBadRequests) {
  for (const char* key : {
           "",
           "dGhlIHNhbXBsZSBub25jZQ",      // no padding
           "dGhlIHNhbXBsZSBub25jZQ=",     // 23 characters
           "dGhlIHNhbXBsZSBub25jZQ===",   // 25 characters
           "dGhlIHNhbXBsZSBub25jZQAA",    // 18 bytes, not 16
           "dGhlIHNhbXBsZSBub25j!Q==",    // not base64
           "dGhlIHNhbXBsZSBub2 5jZQ==",   // a space inside
           "dGhlIHNhbXBsZSBub25jZQ==dGhlIHNhbXBsZSBub25jZQ==",
       }) {
    auto accept = acceptKey(upgradeRequest(key));
    ASSERT_FALSE(accept) << "key '" << key << "' accepted";
    EXPECT_EQ(accept.error(), HandshakeError::BadRequest) << key;
  }
  auto r = upgradeRequest();
  removeHeader(r, "Sec-WebSocket-Key");
  ASSERT_FALSE(acceptKey(r));
  EXPECT_EQ(acceptKey(r).error(), HandshakeError::BadRequest);
}

TEST(WsHandshakeAcceptKey, OnlyVersion13IsSpoken) {
  for (const char* version : {"8", "12", "14", "", "13, 8", "0x0d", "013"}) {
    auto accept = acceptKey(upgradeRequest("dGhlIHNhbXBsZSBub25jZQ==", version));
    ASSERT_FALSE(accept) << "version '" << version << "' accepted";
    EXPECT_EQ(accept.error(), HandshakeError::UnsupportedVersion) << version;
  }
  auto r = upgradeRequest();
  removeHeader(r, "Sec-WebSocket-Version");
  ASSERT_FALSE(acceptKey(r));
  EXPECT_EQ(acceptKey(r).error(), HandshakeError::UnsupportedVersion);
  EXPECT_TRUE(acceptKey(upgradeRequest("dGhlIHNhbXBsZSBub25jZQ==", " 13 ")));
}

// --- switchingProtocols ----------------------------------------------------------------

TEST(WsHandshakeAnswer, IsA101WithTheAcceptKey) {
  auto answer = switchingProtocols("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "");
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 101 Switching Protocols\r\n"));
  EXPECT_NE(answer.find("\r\nUpgrade: websocket\r\n"), std::string::npos);
  EXPECT_NE(answer.find("\r\nConnection: Upgrade\r\n"), std::string::npos);
  EXPECT_NE(answer.find("\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"), std::string::npos);
  EXPECT_EQ(answer.find("Sec-WebSocket-Protocol"), std::string::npos);
  EXPECT_TRUE(answer.ends_with("\r\n\r\n"));
  EXPECT_EQ(answer.find("\r\n\r\n"), answer.size() - 4);  // one header block, nothing after it
}

TEST(WsHandshakeAnswer, NamesTheSelectedSubprotocol) {
  auto answer = switchingProtocols("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "phoenix");
  EXPECT_NE(answer.find("\r\nSec-WebSocket-Protocol: phoenix\r\n"), std::string::npos);
  EXPECT_EQ(answer.find("\r\n\r\n"), answer.size() - 4);
}

TEST(WsHandshakeAnswer, IntoABufferReplacesWhatItHeld) {
  std::string out = "left over from an earlier answer";
  switchingProtocols(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "phoenix");
  EXPECT_EQ(out, switchingProtocols("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "phoenix"));
  switchingProtocols(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "");
  EXPECT_EQ(out, switchingProtocols("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", ""));
}

}  // namespace
}  // namespace sg::net::ws
