#include "app/ops_routes.hpp"

namespace sg::app {

void addOpsRoutes(http::Router& router, const obs::Metrics& metrics, const obs::Readiness& readiness) {
  router.addSync("GET", "/healthz", [](const http::Request&, const http::RouteParams&) {
    return http::Response::json(200, boost::json::object{{"status", "ok"}});
  });
  router.addSync("GET", "/readyz", [&readiness](const http::Request&, const http::RouteParams&) {
    boost::json::object checks;
    bool ready = true;
    for (const auto& c : readiness.check()) {
      checks[c.name] = c.ready ? "ok" : "unavailable";
      ready = ready && c.ready;
    }
    auto r = http::Response::json(ready ? 200 : 503,
                                  boost::json::object{{"status", ready ? "ok" : "unavailable"}, {"checks", checks}});
    r.with("Cache-Control", "no-store");
    if (!ready) r.with("Retry-After", "1");
    return r;
  });
  router.addSync("GET", "/metrics", [&metrics](const http::Request&, const http::RouteParams&) {
    return http::Response::text(200, metrics.renderPrometheus(), "text/plain; version=0.0.4; charset=utf-8");
  });
}

}  // namespace sg::app
