// Method + path routing.
#include "http/router.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <optional>

namespace sg::http {
namespace {

Request makeRequest(std::string method, std::string path) {
  Request r;
  r.method = std::move(method);
  r.path = r.target = std::move(path);
  return r;
}

Response dispatchSync(const Router& router, const Request& request) {
  std::optional<Response> out;
  router.dispatch(request, [&](Response r) { out = std::move(r); });
  EXPECT_TRUE(out.has_value()) << "the router never responded";
  return out.value_or(Response{});
}

Router makeRouter() {
  Router router;
  router.addSync("GET", "/health", [](const Request&, const RouteParams&) { return Response::text(200, "ok"); });
  router.addSync("POST", "/api/users/{id}/disconnect", [](const Request&, const RouteParams& p) {
    return Response::text(200, "disconnect " + p.at(0).first + "=" + p.at(0).second);
  });
  router.addSync("DELETE", "/api/users/{id}/disconnect", [](const Request&, const RouteParams& p) {
    return Response::text(202, "delete " + p.at(0).second);
  });
  return router;
}

// A path is split once into views held inline up to 8 segments; a deeper one still
// matches, captures and refuses as a short one does.
TEST(Router, PathsDeeperThanEightSegmentsMatchAndCapture) {
  Router router;
  router.addSync("GET", "/a/b/c/d/e/f/g/h/i/{x}/k/{y}", [](const Request&, const RouteParams& p) {
    return Response::text(200, p.at(0).second + "," + p.at(1).second);
  });
  auto hit = dispatchSync(router, makeRequest("GET", "/a/b/c/d/e/f/g/h/i/one/k/two"));
  EXPECT_EQ(hit.status, 200);
  EXPECT_EQ(hit.body, "one,two");
  EXPECT_EQ(dispatchSync(router, makeRequest("GET", "/a/b/c/d/e/f/g/h/i/one/z/two")).status, 404);
  EXPECT_EQ(dispatchSync(router, makeRequest("GET", "/a/b/c/d/e/f/g/h/i/one/k/two/more")).status, 404);
}

TEST(Router, DispatchesToTheMatchingRoute) {
  auto r = dispatchSync(makeRouter(), makeRequest("GET", "/health"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok");
}

TEST(Router, CapturesNamedSegments) {
  auto router = makeRouter();
  auto r = dispatchSync(router, makeRequest("POST", "/api/users/42/disconnect"));
  EXPECT_EQ(r.body, "disconnect id=42");
  r = dispatchSync(router, makeRequest("DELETE", "/api/users/7/disconnect"));
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(r.body, "delete 7");
}

TEST(Router, UnknownPathIs404) {
  auto router = makeRouter();
  for (std::string path : {"/nope", "/api/users/42", "/api/users/42/disconnect/more", "/healthz"}) {
    auto r = dispatchSync(router, makeRequest("GET", path));
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(boost::json::parse(r.body).at("error"), "not_found") << path;
  }
}

TEST(Router, KnownPathOtherMethodIs405) {
  auto r = dispatchSync(makeRouter(), makeRequest("PUT", "/api/users/42/disconnect"));
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(boost::json::parse(r.body).at("error"), "method_not_allowed");
  EXPECT_EQ(dispatchSync(makeRouter(), makeRequest("POST", "/health")).status, 405);
}

TEST(Router, HeadIsServedByGet) {
  auto r = dispatchSync(makeRouter(), makeRequest("HEAD", "/health"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok");
  EXPECT_EQ(dispatchSync(makeRouter(), makeRequest("HEAD", "/api/users/1/disconnect")).status, 405);
}

TEST(Router, MethodsAreCaseSensitive) {
  EXPECT_EQ(dispatchSync(makeRouter(), makeRequest("get", "/health")).status, 405);
}

TEST(Router, AsyncHandlerMayRespondLater) {
  Router router;
  Respond saved;
  router.add("GET", "/slow", [&](const Request&, const RouteParams&, Respond respond) { saved = std::move(respond); });
  std::optional<int> status;
  router.dispatch(makeRequest("GET", "/slow"), [&](Response r) { status = r.status; });
  EXPECT_FALSE(status);
  ASSERT_TRUE(saved);
  saved(Response::text(201, "done"));
  EXPECT_EQ(status, 201);
}

TEST(Router, RootPath) {
  Router router;
  router.addSync("GET", "/", [](const Request&, const RouteParams&) { return Response::text(200, "index"); });
  EXPECT_EQ(dispatchSync(router, makeRequest("GET", "/")).body, "index");
  EXPECT_EQ(dispatchSync(router, makeRequest("GET", "/x")).status, 404);
}

TEST(Response, ErrorIsJson) {
  auto r = Response::error(429, "rate_limited", "slow down");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(boost::json::parse(r.body), boost::json::parse(R"({"error":"rate_limited","message":"slow down"})"));
}

}  // namespace
}  // namespace sg::http
