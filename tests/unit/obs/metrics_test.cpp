// Prometheus text rendering of the process counters.
#include "obs/metrics.hpp"

#include <gtest/gtest.h>

namespace sg::obs {
namespace {

bool hasLine(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.starts_with(line + "\n");
}

TEST(Metrics, RendersRefusalsByReasonAndCode) {
  Metrics m;
  m.refused(CloseReason::TokenExpired);
  m.refused(CloseReason::TokenExpired);
  m.refused(CloseReason::RateLimited);
  std::string text = m.renderPrometheus();
  EXPECT_TRUE(hasLine(text, R"(sockguard_refusals_total{reason="token_expired",code="4401"} 2)")) << text;
  EXPECT_TRUE(hasLine(text, R"(sockguard_refusals_total{reason="rate_limited",code="4429"} 1)")) << text;
  EXPECT_TRUE(hasLine(text, R"(sockguard_refusals_total{reason="bad_request",code="4400"} 0)")) << text;
  EXPECT_TRUE(hasLine(text, R"(sockguard_handshakes_total{result="refused"} 3)")) << text;
}

TEST(Metrics, EveryReasonHasARefusalAndCloseLine) {
  Metrics m;
  std::string text = m.renderPrometheus();
  for (int i = 0; i < kCloseReasonCount; ++i) {
    const auto& info = closeInfo(static_cast<CloseReason>(i));
    std::string labels = "{reason=\"" + std::string(info.name) + "\",code=\"" + std::to_string(info.code) + "\"}";
    EXPECT_TRUE(hasLine(text, "sockguard_refusals_total" + labels + " 0")) << info.name;
    EXPECT_TRUE(hasLine(text, "sockguard_closes_total" + labels + " 0")) << info.name;
  }
}

TEST(Metrics, RendersCountersGaugesAndTypes) {
  Metrics m;
  inc(m.joins_ok, 5);
  inc(m.joins_error);
  add(m.connections_open, 3);
  add(m.connections_open, -1);
  m.closed(CloseReason::SlowConsumer);
  std::string text = m.renderPrometheus();
  EXPECT_TRUE(hasLine(text, R"(sockguard_joins_total{result="ok"} 5)")) << text;
  EXPECT_TRUE(hasLine(text, R"(sockguard_joins_total{result="error"} 1)")) << text;
  EXPECT_TRUE(hasLine(text, "sockguard_connections 2")) << text;
  EXPECT_TRUE(hasLine(text, "# TYPE sockguard_connections gauge")) << text;
  EXPECT_TRUE(hasLine(text, "# TYPE sockguard_refusals_total counter")) << text;
  EXPECT_TRUE(hasLine(text, R"(sockguard_closes_total{reason="slow_consumer",code="4509"} 1)")) << text;
}

TEST(Metrics, RendersExtraSources) {
  Metrics m;
  m.extras.push_back({"sockguard_tickets_live", "Live tickets", "gauge", [] { return 7.0; }});
  std::string text = m.renderPrometheus();
  EXPECT_TRUE(hasLine(text, "# TYPE sockguard_tickets_live gauge")) << text;
  EXPECT_TRUE(hasLine(text, "sockguard_tickets_live 7")) << text;
}

}  // namespace
}  // namespace sg::obs
