#pragma once
// GET /healthz (liveness: 200 while the process serves), GET /readyz (readiness: 200
// {"status":"ok","checks":{...}} when every configured back end answers, 503
// {"status":"unavailable","checks":{"postgres":"unavailable",...}} while one does not; see
// obs/readiness.hpp) and GET /metrics (Prometheus text format).
#include "http/router.hpp"
#include "obs/metrics.hpp"
#include "obs/readiness.hpp"

namespace sg::app {

void addOpsRoutes(http::Router& router, const obs::Metrics& metrics, const obs::Readiness& readiness);

}  // namespace sg::app
