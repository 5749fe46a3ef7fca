#pragma once
// An HTTP request as the application sees it, independent of Beast. net/ builds it once
// per request, resolving the client IP and the redacted log target at that moment, so
// nothing later needs the raw target for logging.
#include "http/headers.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sg::http {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// Parses a query string (without '?'), percent-decoding names and values. Malformed
// escapes make the whole query invalid (nullopt).
std::optional<QueryParams> parseQuery(std::string_view query);

struct Request {
  std::string method;      // "GET", "POST", ...
  std::string target;      // raw request target: do not log (use log_target)
  std::string path;        // target before '?'
  QueryParams query;       // decoded parameters
  bool query_valid = true; // false when the query string could not be decoded
  Headers headers;         // as they came, in order
  std::string body;
  std::string peer_ip;     // TCP peer address
  std::string client_ip;   // peer, or the forwarded client when the peer is a trusted proxy
  bool tls = false;        // arrived over TLS to us (net/ sets it)
  bool secure = false;     // TLS, or https as a trusted proxy says (http::resolveClient sets it)
  std::string log_target;  // target with secrets redacted: the only form loggers see (only
                           // made when info lines are written: every line showing it is info/debug)

  // First header with this name (case-insensitive).
  std::optional<std::string_view> header(std::string_view name) const;
  // First query parameter with this name.
  const std::string* param(std::string_view name) const;
};

}  // namespace sg::http
