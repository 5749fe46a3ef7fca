#pragma once
// Method + path routing with named segments ("/api/users/{id}/disconnect"). Handlers
// answer through a callback so that one may finish its work elsewhere (a store pool) and
// respond later; the caller takes care of getting back onto the connection's thread.
#include "http/request.hpp"
#include "http/response.hpp"

#include <functional>
#include <string>
#include <vector>

namespace sg::http {

using RouteParams = std::vector<std::pair<std::string, std::string>>;
using Respond = std::function<void(Response)>;
using Handler = std::function<void(const Request&, const RouteParams&, Respond)>;
using SyncHandler = std::function<Response(const Request&, const RouteParams&)>;

class Router {
 public:
  void add(std::string method, std::string_view pattern, Handler handler);
  void addSync(std::string method, std::string_view pattern, SyncHandler handler);
  // Calls the matching handler, or responds 404 (no such path) / 405 (path known, other method).
  void dispatch(const Request& request, Respond respond) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;  // "{name}" segments capture
    Handler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace sg::http
