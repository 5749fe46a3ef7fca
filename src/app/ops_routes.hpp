#pragma once
// GET /healthz (liveness) and GET /metrics (Prometheus text format).
#include "http/router.hpp"
#include "obs/metrics.hpp"

namespace sg::app {

void addOpsRoutes(http::Router& router, const obs::Metrics& metrics);

}  // namespace sg::app
