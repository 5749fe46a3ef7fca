// The one splitter for comma-separated header values (RFC 9110 §5.6.1): optional
// whitespace is spaces and tabs, empty items are skipped, every header line is read.
#include "http/header_list.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sg::http {
namespace {

std::vector<std::string> itemsOf(std::string_view value) {
  std::vector<std::string> out;
  anyItemOf(value, [&](std::string_view item) {
    out.emplace_back(item);
    return false;
  });
  return out;
}

using Items = std::vector<std::string>;

TEST(HeaderList, SplitsOnCommas) { EXPECT_EQ(itemsOf("a,b,c"), (Items{"a", "b", "c"})); }

TEST(HeaderList, TrimsSpacesAndTabsAroundItems) {
  EXPECT_EQ(itemsOf(" a ,\tb\t, \t c \t"), (Items{"a", "b", "c"}));
  // Whitespace inside an item is part of it.
  EXPECT_EQ(itemsOf("a b, c\td"), (Items{"a b", "c\td"}));
}

TEST(HeaderList, SkipsEmptyItems) {
  EXPECT_EQ(itemsOf(",a,,b,"), (Items{"a", "b"}));
  EXPECT_EQ(itemsOf(" , \t ,"), Items{});
  EXPECT_EQ(itemsOf(""), Items{});
}

TEST(HeaderList, OtherWhitespaceIsNotOws) {
  // Only SP and HTAB are optional whitespace; anything else stays in the item.
  EXPECT_EQ(itemsOf("a\r"), (Items{"a\r"}));
  EXPECT_EQ(itemsOf("\va"), (Items{"\va"}));
}

TEST(HeaderList, StopsAtTheFirstItemTheVisitorWants) {
  std::vector<std::string> seen;
  bool found = anyItemOf("a, b, c", [&](std::string_view item) {
    seen.emplace_back(item);
    return item == "b";
  });
  EXPECT_TRUE(found);
  EXPECT_EQ(seen, (Items{"a", "b"}));
  EXPECT_FALSE(anyItemOf("a, b", [](std::string_view item) { return item == "c"; }));
}

Request withHeaders(Headers headers) {
  Request r;
  r.headers = std::move(headers);
  return r;
}

TEST(HeaderList, ReadsEveryLineOfTheHeaderWhateverTheNamesCase) {
  auto r = withHeaders({{"Sec-WebSocket-Protocol", "phoenix"},
                        {"Accept", "x"},
                        {"sec-websocket-protocol", "\tbase64url.bearer.phx.abc ,"}});
  std::vector<std::string> seen;
  anyListItem(r, "Sec-WebSocket-Protocol", [&](std::string_view item) {
    seen.emplace_back(item);
    return false;
  });
  EXPECT_EQ(seen, (Items{"phoenix", "base64url.bearer.phx.abc"}));
}

TEST(HeaderList, ListsItemIsExactAndCaseSensitive) {
  auto r = withHeaders({{"Sec-WebSocket-Protocol", "graphql-ws,\tphoenix "}});
  EXPECT_TRUE(listsItem(r, "Sec-WebSocket-Protocol", "phoenix"));
  EXPECT_TRUE(listsItem(r, "sec-websocket-protocol", "graphql-ws"));
  EXPECT_FALSE(listsItem(r, "Sec-WebSocket-Protocol", "Phoenix"));
  EXPECT_FALSE(listsItem(r, "Sec-WebSocket-Protocol", "phoenix "));
  EXPECT_FALSE(listsItem(r, "Sec-WebSocket-Protocol", "graphql"));
  EXPECT_FALSE(listsItem(r, "Sec-WebSocket-Extensions", "phoenix"));
  EXPECT_FALSE(listsItem(r, "Sec-WebSocket-Protocol", ""));
}

}  // namespace
}  // namespace sg::http
