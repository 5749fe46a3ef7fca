#pragma once
// An HTTP response as handlers build it. Errors are JSON: {"error": code, "message": text}.
#include "http/request.hpp"

#include <boost/json/value.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace sg::http {

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<Header> headers;  // extra headers (Set-Cookie, Retry-After, ...)
  std::string body;

  static Response json(int status, const boost::json::value& body);
  static Response error(int status, std::string_view code, std::string_view message);
  static Response text(int status, std::string body, std::string content_type = "text/plain; charset=utf-8");
  Response& with(std::string name, std::string value) {
    headers.push_back({std::move(name), std::move(value)});
    return *this;
  }
};

}  // namespace sg::http
