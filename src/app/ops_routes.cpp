#include "app/ops_routes.hpp"

namespace sg::app {

void addOpsRoutes(http::Router& router, const obs::Metrics& metrics) {
  router.addSync("GET", "/healthz", [](const http::Request&, const http::RouteParams&) {
    return http::Response::json(200, boost::json::object{{"status", "ok"}});
  });
  router.addSync("GET", "/metrics", [&metrics](const http::Request&, const http::RouteParams&) {
    return http::Response::text(200, metrics.renderPrometheus(), "text/plain; version=0.0.4; charset=utf-8");
  });
}

}  // namespace sg::app
