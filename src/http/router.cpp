#include "http/router.hpp"

#include <boost/container/small_vector.hpp>

namespace sg::http {
namespace {

// A path's segments, viewed in place: a request is matched against every route, and
// splitting it once, without allocating, is what keeps routing cheap.
using PathParts = boost::container::small_vector<std::string_view, 8>;

template <class Out>
void splitInto(std::string_view path, Out& out) {
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
}

bool matches(const std::vector<std::string>& segments, const PathParts& parts, RouteParams& params) {
  if (parts.size() != segments.size()) return false;
  params.clear();
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto& seg = segments[i];
    if (seg.size() > 2 && seg.front() == '{' && seg.back() == '}') {
      params.emplace_back(seg.substr(1, seg.size() - 2), parts[i]);
    } else if (seg != parts[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

void Router::add(std::string method, std::string_view pattern, Handler handler) {
  std::vector<std::string> segments;
  splitInto(pattern, segments);
  routes_.push_back(Route{std::move(method), std::move(segments), std::move(handler)});
}

void Router::addSync(std::string method, std::string_view pattern, SyncHandler handler) {
  add(std::move(method), pattern, [h = std::move(handler)](const Request& req, const RouteParams& p, Respond respond) {
    respond(h(req, p));
  });
}

void Router::dispatch(const Request& request, Respond respond) const {
  bool path_known = false;
  PathParts parts;
  splitInto(request.path, parts);
  RouteParams params;
  for (const auto& route : routes_) {
    if (!matches(route.segments, parts, params)) continue;
    path_known = true;
    if (route.method == request.method || (request.method == "HEAD" && route.method == "GET")) {
      return route.handler(request, params, std::move(respond));
    }
  }
  if (path_known) return respond(Response::error(405, "method_not_allowed", "method not allowed on this path"));
  respond(Response::error(404, "not_found", "no such path"));
}

}  // namespace sg::http
