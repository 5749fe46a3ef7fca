#pragma once
// An HTTP response as handlers build it. Errors are JSON: {"error": code, "message": text}.
#include "http/request.hpp"

#include <boost/json/value.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sg::http {

// A response's Content-Type: a string literal, kept as a view (nearly every response has
// one of a few constants, and "application/json" is one byte over the short-string buffer:
// an allocation per response), or a text of its own, built at run time. Only arrays
// convert as constants, so that a pointer to a passing buffer cannot be taken for one.
class ContentType {
 public:
  template <std::size_t N>
  constexpr ContentType(const char (&literal)[N]) : constant_(literal, N - 1) {}  // NOLINT(google-explicit-constructor)
  ContentType(std::string text) : owned_(std::move(text)) {}                     // NOLINT(google-explicit-constructor)

  std::string_view view() const { return constant_.data() ? constant_ : std::string_view(owned_); }
  operator std::string_view() const { return view(); }  // NOLINT(google-explicit-constructor)
  friend bool operator==(const ContentType& a, std::string_view b) { return a.view() == b; }

 private:
  std::string_view constant_;  // null when owned_ holds the text
  std::string owned_;
};

struct Response {
  int status = 200;
  ContentType content_type = "application/json";
  std::vector<Header> headers;  // extra headers (Set-Cookie, Retry-After, ...)
  std::string body;

  static Response json(int status, const boost::json::value& body);
  static Response error(int status, std::string_view code, std::string_view message);
  static Response text(int status, std::string body, ContentType content_type = "text/plain; charset=utf-8");
  Response& with(std::string name, std::string value) {
    headers.push_back({std::move(name), std::move(value)});
    return *this;
  }
};

}  // namespace sg::http
