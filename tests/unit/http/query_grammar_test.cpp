// isQueryText against Boost.URL's parse_query, the grammar check it stands in for: the
// same verdict on every string tried (exhaustive short strings, every escape, random and
// realistic queries), so that skipping Boost.URL for what isQueryText accepts changes no
// verdict of http::parseQuery.
#include "http/query_grammar.hpp"

#include <boost/url/parse_query.hpp>
#include <gtest/gtest.h>

#include <random>
#include <string>

namespace sg::http {
namespace {

bool boostAccepts(const std::string& s) {
  // parse_query in Boost 1.81 reads to a NUL (boostorg/url#757): a std::string has one.
  return boost::urls::parse_query(boost::urls::string_view(s.data(), s.size())).has_value();
}

void expectSameVerdict(const std::string& s) {
  ASSERT_EQ(isQueryText(s), boostAccepts(s)) << "query bytes: " << ::testing::PrintToString(s);
}

TEST(QueryGrammar, EmptyAndOrdinaryQueries) {
  EXPECT_TRUE(isQueryText(""));
  EXPECT_TRUE(isQueryText("vsn=2.0.0"));
  EXPECT_TRUE(isQueryText("ticket=abc_DEF-123.x~y&vsn=2.0.0"));
  EXPECT_TRUE(isQueryText("a=%2B%2b&b=/path?x:y@z!$'()*+,;="));
  EXPECT_FALSE(isQueryText("a=b c"));
  EXPECT_FALSE(isQueryText("a=%"));
  EXPECT_FALSE(isQueryText("a=%2"));
  EXPECT_FALSE(isQueryText("a=%zz"));
  EXPECT_FALSE(isQueryText("a=#"));
  EXPECT_FALSE(isQueryText("a[]=1"));
  EXPECT_FALSE(isQueryText(std::string("a=\0", 3)));
  for (const char* q : {"", "vsn=2.0.0", "a=%2B%2b&b=/path?x:y@z!$'()*+,;=", "a=b c", "a=%", "a=%2", "a=%zz",
                        "a=#", "a[]=1", "&&&", "=", "%41%42", "x=\xC3\xA9"}) {
    expectSameVerdict(q);
  }
}

TEST(QueryGrammar, EveryStringOfOneOrTwoBytes) {
  for (int a = 0; a < 256; ++a) {
    expectSameVerdict(std::string(1, static_cast<char>(a)));
    for (int b = 0; b < 256; ++b) expectSameVerdict({static_cast<char>(a), static_cast<char>(b)});
  }
}

TEST(QueryGrammar, EveryEscapeWhereverItStands) {
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; ++b) {
      std::string escape{'%', static_cast<char>(a), static_cast<char>(b)};
      expectSameVerdict(escape);
      expectSameVerdict("x=" + escape);
      expectSameVerdict(escape + "&y=1");
    }
  }
  // Cut short at the end.
  for (int a = 0; a < 256; ++a) {
    expectSameVerdict(std::string{'%', static_cast<char>(a)});
    expectSameVerdict("k=v%" + std::string(1, static_cast<char>(a)));
  }
}

// Every string of up to four characters over the characters that matter to the grammar.
TEST(QueryGrammar, EveryShortStringOverAnAlphabetOfEdgeCharacters) {
  const std::string alphabet{'%', '0', '9', 'a', 'f', 'g', 'A', 'F', 'G', '&', '=', '+', '/', '?', ':', '@',
                             '~', '[', ']', '#', ' ', '"', '\\', '\0', '\x7f', '\x80', '\xff', '^', '`', '{'};
  std::string s;
  auto extend = [&](auto&& self, std::size_t depth) -> void {
    expectSameVerdict(s);
    if (depth == 4) return;
    for (char c : alphabet) {
      s.push_back(c);
      self(self, depth + 1);
      s.pop_back();
    }
  };
  extend(extend, 0);
}

TEST(QueryGrammar, RandomQueries) {
  std::mt19937 rng(0x5eed);
  const std::string likely = "abcxyzABCXYZ0189-._~!$&'()*+,;=:@/?%%%%%%";
  for (int i = 0; i < 300'000; ++i) {
    std::size_t length = rng() % 64;
    std::string s;
    bool any_byte = rng() % 4 == 0;  // a quarter from every byte, the rest mostly query characters
    for (std::size_t j = 0; j < length; ++j) {
      auto pick = rng();
      if (any_byte || pick % 16 == 0) {
        s.push_back(static_cast<char>(pick >> 8));
      } else {
        s.push_back(likely[(pick >> 8) % likely.size()]);
      }
    }
    expectSameVerdict(s);
  }
}

TEST(QueryGrammar, RealisticQueries) {
  std::mt19937 rng(42);
  const std::string hex = "0123456789abcdefABCDEF";
  for (int i = 0; i < 100'000; ++i) {
    std::string s = "vsn=2.0.0&ticket=";
    for (int j = 0; j < 40; ++j) s.push_back(static_cast<char>('A' + rng() % 26));
    if (rng() % 2) s += "&token=eyJ" + std::to_string(rng());
    if (rng() % 3 == 0) {
      // An escape, well-formed or not, somewhere.
      s += "&n=%";
      s.push_back(rng() % 8 ? hex[rng() % hex.size()] : static_cast<char>(rng()));
      s.push_back(rng() % 8 ? hex[rng() % hex.size()] : static_cast<char>(rng()));
    }
    expectSameVerdict(s);
  }
}

}  // namespace
}  // namespace sg::http
