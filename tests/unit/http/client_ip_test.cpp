// The client IP and https through trusted proxies (issue 10 §2, §3): only the configured
// forwarding header counts, only from a trusted peer, and the nearest untrusted hop is
// the client.
#include "http/client_ip.hpp"

#include <gtest/gtest.h>

namespace sg::http {
namespace {

TrustedProxies proxies(std::vector<std::string> entries, ForwardedHeader header = ForwardedHeader::XForwardedFor) {
  std::string error;
  auto p = TrustedProxies::parse(entries, &error, header);
  EXPECT_TRUE(p) << error;
  return *p;
}

TEST(ParseForwardedHeader, KnowsTheThreeHeadersInAnyCase) {
  EXPECT_EQ(parseForwardedHeader("x-forwarded-for"), ForwardedHeader::XForwardedFor);
  EXPECT_EQ(parseForwardedHeader("Forwarded"), ForwardedHeader::Forwarded);
  EXPECT_EQ(parseForwardedHeader("X-Real-IP"), ForwardedHeader::XRealIp);
  EXPECT_FALSE(parseForwardedHeader("x-forwarded-host"));
  EXPECT_FALSE(parseForwardedHeader(""));
}

TEST(TrustedProxies, RefusesBadEntries) {
  std::string error;
  EXPECT_FALSE(TrustedProxies::parse({"10.0.0.0/33"}, &error));
  EXPECT_NE(error.find("10.0.0.0/33"), std::string::npos);
  EXPECT_FALSE(TrustedProxies::parse({"proxy.local"}, &error));
}

TEST(TrustedProxies, MatchesCidrs) {
  auto p = proxies({"10.0.0.0/8", "::1"});
  EXPECT_TRUE(p.contains("10.1.2.3"));
  EXPECT_FALSE(p.contains("11.0.0.1"));
  EXPECT_TRUE(p.contains("::1"));
  EXPECT_FALSE(p.contains("garbage"));
}

TEST(ResolveClient, HeadersFromAnUntrustedPeerAreIgnored) {
  auto p = proxies({"10.0.0.1"});
  Headers h{{"X-Forwarded-For", "203.0.113.9"}, {"X-Forwarded-Proto", "https"}};
  auto c = resolveClient("198.51.100.1", false, h, p);
  EXPECT_EQ(c.ip, "198.51.100.1");
  EXPECT_FALSE(c.secure);
  EXPECT_TRUE(resolveClient("198.51.100.1", true, h, p).secure);  // TLS to us is secure whoever says what
}

TEST(ResolveClient, RightmostUntrustedHopIsTheClient) {
  auto p = proxies({"10.0.0.0/8"});
  Headers h{{"X-Forwarded-For", "198.51.100.7, 203.0.113.9, 10.0.0.2"}};
  EXPECT_EQ(resolveClient("10.0.0.1", false, h, p).ip, "203.0.113.9");
  // Several header lines are one list, in order.
  Headers two{{"X-Forwarded-For", "198.51.100.7"}, {"X-Forwarded-For", "203.0.113.9"}};
  EXPECT_EQ(resolveClient("10.0.0.1", false, two, p).ip, "203.0.113.9");
}

TEST(ResolveClient, GarbageEndsTheWalkAtThePeer) {
  auto p = proxies({"10.0.0.1"});
  Headers h{{"X-Forwarded-For", "203.0.113.9, not-an-ip"}};
  EXPECT_EQ(resolveClient("10.0.0.1", false, h, p).ip, "10.0.0.1");
}

// The attack of issue 10 §2: the proxy writes Forwarded and passes X-Forwarded-For through
// from the client, who uses it to choose its address.
TEST(ResolveClient, WithForwardedConfiguredXForwardedForIsIgnored) {
  auto p = proxies({"10.0.0.1"}, ForwardedHeader::Forwarded);
  Headers h{{"X-Forwarded-For", "192.0.2.66"}, {"Forwarded", "for=203.0.113.9;proto=http"}};
  EXPECT_EQ(resolveClient("10.0.0.1", false, h, p).ip, "203.0.113.9");
  // And with no Forwarded at all, the proxy itself is the client, not the client's XFF.
  EXPECT_EQ(resolveClient("10.0.0.1", false, {{"X-Forwarded-For", "192.0.2.66"}}, p).ip, "10.0.0.1");
}

TEST(ResolveClient, WithXForwardedForConfiguredForwardedIsIgnored) {
  auto p = proxies({"10.0.0.1"});
  Headers h{{"Forwarded", "for=192.0.2.66"}};
  EXPECT_EQ(resolveClient("10.0.0.1", false, h, p).ip, "10.0.0.1");
  Headers both{{"Forwarded", "for=192.0.2.66"}, {"X-Forwarded-For", "203.0.113.9"}};
  EXPECT_EQ(resolveClient("10.0.0.1", false, both, p).ip, "203.0.113.9");
}

TEST(ResolveClient, XRealIpOnlyWhenConfigured) {
  Headers h{{"X-Forwarded-For", "192.0.2.66"}, {"X-Real-IP", "203.0.113.9"}};
  EXPECT_EQ(resolveClient("10.0.0.1", false, h, proxies({"10.0.0.1"}, ForwardedHeader::XRealIp)).ip, "203.0.113.9");
  EXPECT_EQ(resolveClient("10.0.0.1", false, h, proxies({"10.0.0.1"})).ip, "192.0.2.66");
}

TEST(ResolveClient, ForwardedElementsAndQuotedAddresses) {
  auto p = proxies({"10.0.0.0/8"}, ForwardedHeader::Forwarded);
  Headers h{{"Forwarded", "for=198.51.100.7, for=\"[2001:db8::1]:4711\";proto=https, for=10.0.0.2"}};
  auto c = resolveClient("10.0.0.1", false, h, p);
  EXPECT_EQ(c.ip, "2001:db8::1");
  EXPECT_TRUE(c.secure);
  // An element without for= ends the walk: the element left of it cannot pass for nearer.
  Headers gap{{"Forwarded", "for=198.51.100.7, proto=https"}};
  EXPECT_EQ(resolveClient("10.0.0.1", false, gap, p).ip, "10.0.0.1");
}

TEST(ResolveClient, XForwardedProtoFromATrustedProxyMakesItSecure) {
  auto p = proxies({"10.0.0.1"});
  EXPECT_TRUE(resolveClient("10.0.0.1", false, {{"X-Forwarded-Proto", "HTTPS"}}, p).secure);
  EXPECT_FALSE(resolveClient("10.0.0.1", false, {{"X-Forwarded-Proto", "http"}}, p).secure);
  EXPECT_FALSE(resolveClient("10.0.0.1", false, {}, p).secure);
  // The nearest value is the one our proxy wrote; a client's own "https" to its left is not.
  EXPECT_FALSE(resolveClient("10.0.0.1", false, {{"X-Forwarded-Proto", "https, http"}}, p).secure);
  // With Forwarded configured, X-Forwarded-Proto is the client's and means nothing.
  auto fwd = proxies({"10.0.0.1"}, ForwardedHeader::Forwarded);
  EXPECT_FALSE(resolveClient("10.0.0.1", false, {{"X-Forwarded-Proto", "https"}}, fwd).secure);
}

TEST(ResolveClient, ForwardedProtoIsTheClientElementsOne) {
  auto p = proxies({"10.0.0.0/8"}, ForwardedHeader::Forwarded);
  // The client claims https in an element of its own; our proxy says http.
  Headers h{{"Forwarded", "for=192.0.2.1;proto=https, for=203.0.113.9;proto=http"}};
  auto c = resolveClient("10.0.0.1", false, h, p);
  EXPECT_EQ(c.ip, "203.0.113.9");
  EXPECT_FALSE(c.secure);
  // Hidden client ("for=unknown"): the nearest element, our proxy's, still speaks for https.
  EXPECT_TRUE(resolveClient("10.0.0.1", false, {{"Forwarded", "for=unknown;proto=https"}}, p).secure);
}

TEST(ResolveClient, SetsTheRequestsFields) {
  Request r;
  r.peer_ip = "10.0.0.1";
  r.headers = {{"X-Forwarded-For", "203.0.113.9"}, {"X-Forwarded-Proto", "https"}};
  resolveClient(r, proxies({"10.0.0.1"}));
  EXPECT_EQ(r.client_ip, "203.0.113.9");
  EXPECT_TRUE(r.secure);
  Request direct;
  direct.peer_ip = "198.51.100.1";
  direct.tls = true;
  resolveClient(direct, proxies({}));
  EXPECT_EQ(direct.client_ip, "198.51.100.1");
  EXPECT_TRUE(direct.secure);
}

}  // namespace
}  // namespace sg::http
