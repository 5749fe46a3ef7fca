// Query decoding and header lookup of http::Request.
#include "http/request.hpp"

#include <gtest/gtest.h>

namespace sg::http {
namespace {

using Params = QueryParams;

TEST(ParseQuery, SplitsAndPercentDecodes) {
  auto q = parseQuery("ticket=a%2Bb&vsn=2.0.0&name=J%C3%A9r%C3%B4me");
  ASSERT_TRUE(q);
  EXPECT_EQ(*q, (Params{{"ticket", "a+b"}, {"vsn", "2.0.0"}, {"name", "J\xC3\xA9r\xC3\xB4me"}}));
}

TEST(ParseQuery, DecodesNames) {
  auto q = parseQuery("%74oken=x");
  ASSERT_TRUE(q);
  EXPECT_EQ(*q, (Params{{"token", "x"}}));
}

TEST(ParseQuery, BareNameAndEmptyValue) {
  auto q = parseQuery("flag&empty=");
  ASSERT_TRUE(q);
  EXPECT_EQ(*q, (Params{{"flag", ""}, {"empty", ""}}));
}

TEST(ParseQuery, KeepsRepeatedNamesInOrder) {
  auto q = parseQuery("a=1&a=2");
  ASSERT_TRUE(q);
  EXPECT_EQ(*q, (Params{{"a", "1"}, {"a", "2"}}));
}

TEST(ParseQuery, RejectsMalformedEscapes) {
  EXPECT_FALSE(parseQuery("a=%zz"));
  EXPECT_FALSE(parseQuery("a=%4"));
  EXPECT_FALSE(parseQuery("a=%"));
  EXPECT_FALSE(parseQuery("%g1=b"));
  EXPECT_FALSE(parseQuery("ok=1&bad=%2"));
}

TEST(ParseQuery, EncodedSeparatorsStayInsideValues) {
  auto q = parseQuery("a=1%262&b=%3D");
  ASSERT_TRUE(q);
  EXPECT_EQ(*q, (Params{{"a", "1&2"}, {"b", "="}}));
}

// '+' is a space (application/x-www-form-urlencoded, as URLSearchParams and GraphQL GET
// clients write it); an encoded plus stays a plus.
TEST(ParseQuery, PlusIsASpaceAndAnEncodedPlusIsAPlus) {
  auto q = parseQuery("query=%7B+a+%7D&sum=1%2B1");
  ASSERT_TRUE(q);
  EXPECT_EQ(*q, (Params{{"query", "{ a }"}, {"sum", "1+1"}}));
}

// A query is a view into the request target, which goes on after it.
TEST(ParseQuery, ReadsOnlyTheViewGiven) {
  std::string_view target = "a=1&b=%41 HTTP/1.1";
  auto q = parseQuery(target.substr(0, 9));
  ASSERT_TRUE(q);
  EXPECT_EQ(*q, (Params{{"a", "1"}, {"b", "A"}}));
}

TEST(ParseQuery, EmptyQueryHasNoParameters) {
  auto q = parseQuery("");
  ASSERT_TRUE(q);
  EXPECT_TRUE(q->empty());
}

// As Boost.URL's params read them: every '&' separates, and only the first '=' of a
// parameter ends its name.
TEST(ParseQuery, EmptyPiecesAndSecondEquals) {
  auto q = parseQuery("a&&=b&c=d=e&");
  ASSERT_TRUE(q);
  EXPECT_EQ(*q, (Params{{"a", ""}, {"", ""}, {"", "b"}, {"c", "d=e"}, {"", ""}}));
}

TEST(ParseQuery, RejectsCharactersOutsideTheQueryGrammar) {
  EXPECT_FALSE(parseQuery("a=b c"));
  EXPECT_FALSE(parseQuery("a=<b>"));
  EXPECT_FALSE(parseQuery("a=b#c"));
  EXPECT_TRUE(parseQuery("a=/?:@!$'()*,;"));
}

TEST(Request, HeaderLookupIsCaseInsensitive) {
  Request r;
  r.headers = {{"Content-Type", "application/json"}, {"Origin", "https://a.example"}, {"origin", "https://b.example"}};
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.header("CONTENT-TYPE"), "application/json");
  EXPECT_EQ(r.header("ORIGIN"), "https://a.example");  // the first one wins
  EXPECT_FALSE(r.header("Cookie"));
}

TEST(Request, ParamIsCaseSensitiveAndFirstWins) {
  Request r;
  r.query = {{"vsn", "2.0.0"}, {"vsn", "1.0.0"}};
  ASSERT_NE(r.param("vsn"), nullptr);
  EXPECT_EQ(*r.param("vsn"), "2.0.0");
  EXPECT_EQ(r.param("VSN"), nullptr);
}

}  // namespace
}  // namespace sg::http
