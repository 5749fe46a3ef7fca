// app/server_api: readPlainStringObject, the in-place reading of small bodies, against
// boost::json's full parse: what it accepts reads the same as the full parse, over
// hand-picked bodies and many random ones built from JSON's pieces.
#include "app/server_api.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <array>
#include <random>

namespace sg::app {
namespace {

constexpr std::array<std::string_view, 3> kNames = {"user_id", "client_ip", "origin"};
using Fields = std::array<std::optional<std::string_view>, kNames.size()>;

std::optional<Fields> quick(std::string_view body) {
  Fields out;
  if (!readPlainStringObject(body, kNames, out)) return std::nullopt;
  return out;
}

// Accepted means: the full parse gives an object of exactly these string members.
void expectSameAsFullParse(std::string_view body, const Fields& fields) {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  ASSERT_FALSE(ec) << "accepted what JSON refuses: " << body;
  ASSERT_TRUE(v.is_object()) << body;
  std::size_t present = 0;
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    const auto* member = v.as_object().if_contains(kNames[i]);
    ASSERT_EQ(member != nullptr, fields[i].has_value()) << kNames[i] << " in " << body;
    if (!member) continue;
    ++present;
    ASSERT_TRUE(member->is_string()) << body;
    EXPECT_EQ(std::string_view(member->get_string()), *fields[i]) << body;
  }
  EXPECT_EQ(v.as_object().size(), present) << "members beyond the names: " << body;
}

TEST(ReadPlainStringObject, ReadsTheBodiesBackendsSend) {
  for (std::string_view body : {R"({"user_id":"42"})", R"( { "user_id" : "42" , "origin":"http://localhost" } )",
                                "{\"client_ip\":\"10.0.0.1\",\n\t\"user_id\":\"u-1\"}\r\n", "{}",
                                R"({"user_id":""})", R"({"user_id":"a b/c:d{e}[f],g'h"})"}) {
    auto fields = quick(body);
    ASSERT_TRUE(fields.has_value()) << body;
    expectSameAsFullParse(body, *fields);
  }
  auto f = quick(R"({"origin":"http://localhost","user_id":"42"})");
  ASSERT_TRUE(f);
  EXPECT_EQ((*f)[0], "42");
  EXPECT_FALSE((*f)[1].has_value());
  EXPECT_EQ((*f)[2], "http://localhost");
}

TEST(ReadPlainStringObject, LeavesEverythingElseToTheFullParse) {
  for (std::string_view body :
       {"", " ", "[]", R"("x")", R"({"user_id":42})", R"({"user_id":"4\"2"})", R"({"user_id":"\u0034"})",
        R"({"user_id":"42","user_id":"43"})", R"({"user_id":"42",})", R"({"user_id":"42"} x)", R"({"other":"1"})",
        R"({"user_id":"42")", R"({"user_id":"42)", R"({"user_id" "42"})", R"({user_id:"42"})",
        "{\"user_id\":\"\xc3\xa9\"}", "{\"user_id\":\"a\tb\"}", "{\"user_id\":\"a\x7f\"}", R"({"user_id":null})",
        R"({"user_id":["42"]})", "{\"user_id\":\"42\"}\v", R"({"user_id":"42"}{})", "{\"user\0id\":\"1\"}"}) {
    EXPECT_FALSE(quick(body).has_value()) << body;
  }
}

TEST(ReadPlainStringObject, WhatItAcceptsOfRandomBodiesReadsAsTheFullParse) {
  std::mt19937 rng(20261201);
  const std::vector<std::string> pieces = {
      "{", "}", "\"user_id\"", "\"client_ip\"", "\"origin\"", "\"other\"", ":", ",", " ", "\n", "\t", "\"42\"",
      "\"\"", "\"a\\\"b\"", "\"\xc3\xa9\"", "1", "null", "[", "]", "\"", "\\", "\"x y\"", "\r", "\v"};
  int accepted = 0;
  for (int n = 0; n < 200000; ++n) {
    std::string body;
    // Mostly well-formed objects with a piece swapped in now and then.
    std::vector<std::string> members;
    for (unsigned m = rng() % 4; m-- > 0;) {
      members.push_back(pieces[2 + rng() % 4] + (rng() % 3 ? ":" : pieces[rng() % pieces.size()]) +
                        pieces[rng() % 2 ? 11 : rng() % pieces.size()]);
    }
    body = rng() % 8 ? "{" : pieces[rng() % pieces.size()];
    for (std::size_t m = 0; m < members.size(); ++m) {
      if (m) body += rng() % 10 ? "," : pieces[rng() % pieces.size()];
      if (rng() % 4 == 0) body += pieces[8 + rng() % 3];
      body += members[m];
    }
    body += rng() % 8 ? "}" : pieces[rng() % pieces.size()];
    if (auto fields = quick(body)) {
      ++accepted;
      expectSameAsFullParse(body, *fields);
      if (HasFailure()) return;
    }
  }
  EXPECT_GT(accepted, 10000) << "the random bodies should often be plain";
}

}  // namespace
}  // namespace sg::app
