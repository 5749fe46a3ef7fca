#include "http/response.hpp"

#include <boost/json/serialize.hpp>

namespace sg::http {

Response Response::json(int status, const boost::json::value& body) {
  Response r;
  r.status = status;
  r.body = boost::json::serialize(body);
  return r;
}

Response Response::error(int status, std::string_view code, std::string_view message) {
  return json(status, boost::json::object{{"error", code}, {"message", message}});
}

Response Response::text(int status, std::string body, ContentType content_type) {
  Response r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

}  // namespace sg::http
