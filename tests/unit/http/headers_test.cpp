// http::Headers: fields kept in order in one buffer, found case-insensitively, and still
// right after the Headers is copied or moved (its offsets do not point anywhere).
#include "http/headers.hpp"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace sg::http {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

Pairs pairs(const Headers& h) {
  Pairs out;
  for (const auto& f : h) out.emplace_back(f.name, f.value);
  return out;
}

TEST(Headers, KeepsFieldsInArrivalOrder) {
  Headers h;
  h.add("Host", "a.example");
  h.add("Cookie", "x=1");
  h.add("cookie", "y=2");
  EXPECT_EQ(h.size(), 3u);
  EXPECT_EQ(pairs(h), (Pairs{{"Host", "a.example"}, {"Cookie", "x=1"}, {"cookie", "y=2"}}));
}

TEST(Headers, FindIsCaseInsensitiveAndTheFirstWins) {
  Headers h{{"Origin", "https://a.example"}, {"ORIGIN", "https://b.example"}, {"Empty", ""}};
  EXPECT_EQ(h.find("origin"), "https://a.example");
  EXPECT_EQ(h.find("empty"), "");
  EXPECT_FALSE(h.find("Origi"));
  EXPECT_FALSE(h.find("Origins"));
  EXPECT_FALSE(Headers{}.find("Origin"));
}

// Short heads fit a std::string's inline storage, whose bytes move with it: offsets,
// unlike views, stay right.
TEST(Headers, CopiesAndMovesStayRight) {
  for (std::string value : {std::string("v"), std::string(300, 'v')}) {
    Headers original{{"A", value}, {"B", "2"}};
    Headers copy = original;
    Headers moved = std::move(original);
    Pairs expected{{"A", value}, {"B", "2"}};
    EXPECT_EQ(pairs(copy), expected);
    EXPECT_EQ(pairs(moved), expected);
    Headers assigned;
    assigned = moved;
    moved = Headers{{"C", "3"}};
    EXPECT_EQ(pairs(assigned), expected);
    EXPECT_EQ(pairs(moved), (Pairs{{"C", "3"}}));
  }
}

TEST(Headers, ManyFieldsGoPastTheInlineOffsets) {
  Headers h;
  h.reserve(4, 16);
  for (int i = 0; i < 40; ++i) h.add("X-" + std::to_string(i), std::to_string(i * i));
  ASSERT_EQ(h.size(), 40u);
  EXPECT_EQ(h.find("x-39"), "1521");
  EXPECT_EQ(h.find("X-0"), "0");
}

TEST(Headers, SetReplacesTheFirstOrAdds) {
  Headers h{{"Connection", "close"}, {"Upgrade", "websocket"}};
  h.set("connection", "keep-alive, Upgrade");
  h.set("Sec-WebSocket-Version", "13");
  EXPECT_EQ(pairs(h), (Pairs{{"Connection", "keep-alive, Upgrade"}, {"Upgrade", "websocket"},
                             {"Sec-WebSocket-Version", "13"}}));
}

TEST(Headers, RemoveTakesEveryFieldOfExactlyThatName) {
  Headers h{{"Origin", "a"}, {"Host", "h"}, {"Origin", "b"}, {"origin", "c"}};
  h.remove("Origin");
  EXPECT_EQ(pairs(h), (Pairs{{"Host", "h"}, {"origin", "c"}}));
}

}  // namespace
}  // namespace sg::http
