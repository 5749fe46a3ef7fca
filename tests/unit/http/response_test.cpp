// http::ContentType: a literal kept as a view, a built text owned; both survive copies and
// moves of the response (an owned short text moves its bytes).
#include "http/response.hpp"

#include <gtest/gtest.h>

#include <utility>

namespace sg::http {
namespace {

TEST(ContentType, DefaultsAndLiterals) {
  Response r;
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(Response::text(200, "x").content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(Response::text(200, "x", "text/html").content_type, "text/html");
}

TEST(ContentType, BuiltTextIsOwnedAndSurvivesMovesAndCopies) {
  std::string type = "text/csv";  // short: moved bytes, not a moved pointer
  Response r = Response::text(200, "a,b", type + "; charset=utf-8");
  type.assign("overwritten");
  EXPECT_EQ(r.content_type, "text/csv; charset=utf-8");
  Response short_owned = Response::text(200, "", std::string("a/b"));
  Response moved = std::move(short_owned);
  EXPECT_EQ(moved.content_type, "a/b");
  Response copied = moved;
  EXPECT_EQ(copied.content_type, "a/b");
  copied.content_type = "application/json";
  EXPECT_EQ(copied.content_type.view(), "application/json");
  EXPECT_EQ(moved.content_type, "a/b");
}

}  // namespace
}  // namespace sg::http
