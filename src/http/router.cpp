#include "http/router.hpp"

namespace sg::http {
namespace {

std::vector<std::string> split(std::string_view path) {
  std::vector<std::string> out;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    auto slash = path.find('/');
    out.emplace_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash);
  }
  return out;
}

}  // namespace

void Router::add(std::string method, std::string_view pattern, Handler handler) {
  routes_.push_back(Route{std::move(method), split(pattern), std::move(handler)});
}

void Router::addSync(std::string method, std::string_view pattern, SyncHandler handler) {
  add(std::move(method), pattern, [h = std::move(handler)](const Request& req, const RouteParams& p, Respond respond) {
    respond(h(req, p));
  });
}

bool Router::match(const Route& route, std::string_view path, RouteParams& params) {
  auto parts = split(path);
  if (parts.size() != route.segments.size()) return false;
  params.clear();
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto& seg = route.segments[i];
    if (seg.size() > 2 && seg.front() == '{' && seg.back() == '}') {
      params.emplace_back(seg.substr(1, seg.size() - 2), parts[i]);
    } else if (seg != parts[i]) {
      return false;
    }
  }
  return true;
}

void Router::dispatch(const Request& request, Respond respond) const {
  bool path_known = false;
  RouteParams params;
  for (const auto& route : routes_) {
    if (!match(route, request.path, params)) continue;
    path_known = true;
    if (route.method == request.method || (request.method == "HEAD" && route.method == "GET")) {
      return route.handler(request, params, std::move(respond));
    }
  }
  if (path_known) return respond(Response::error(405, "method_not_allowed", "method not allowed on this path"));
  respond(Response::error(404, "not_found", "no such path"));
}

}  // namespace sg::http
