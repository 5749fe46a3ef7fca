#include "app/static_site.hpp"

#include "app/web_assets.hpp"

namespace sg::app {

void addStaticRoutes(http::Router& router) {
  for (const auto& asset : webAssets()) {
    std::string path = asset.path == "index.html"      ? "/"
                       : asset.path == "graphiql.html" ? "/graphiql"
                                                       : "/" + std::string(asset.path);
    router.addSync("GET", path, [&asset](const http::Request&, const http::RouteParams&) {
      auto r = http::Response::text(200, std::string(asset.data), std::string(asset.content_type));
      // The page is small and changes with the binary; avoid stale copies across upgrades.
      r.with("Cache-Control", "no-cache");
      r.with("X-Content-Type-Options", "nosniff");
      r.with("Content-Security-Policy", "default-src 'self'; connect-src 'self' ws: wss:; font-src 'self' data:; frame-ancestors 'none'");
      return r;
    });
  }
}

}  // namespace sg::app
