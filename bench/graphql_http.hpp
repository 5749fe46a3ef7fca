#pragma once
// GraphQL over HTTP for the bench: single requests (sign-up, /metrics) and a query load,
// several keep-alive clients each sending one POST /api/graphql after the other for a
// fixed time (a client waits for its answer before the next request, as a page would).
#include "stats.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sg::bench {

struct HttpAnswer {
  int status = 0;
  std::string body;
  std::vector<std::string> set_cookies;  // each Set-Cookie value as sent
  std::string error;                     // set when there is no answer at all
};

// One request on a connection of its own. `headers` are (name, value) pairs.
boost::asio::awaitable<HttpAnswer> httpRequest(boost::asio::ip::tcp::endpoint server, std::string method,
                                               std::string target, std::string body,
                                               std::vector<std::pair<std::string, std::string>> headers);

// The sum of a counter's samples (every label set) in the server's /metrics; nullopt when
// /metrics cannot be read.
boost::asio::awaitable<std::optional<double>> readCounter(boost::asio::ip::tcp::endpoint server, std::string name);

struct QueryLoad {
  std::string body;    // the JSON request body, {"query": ...}
  std::string cookie;  // "name=value", or empty
  std::string origin;  // the Origin header, or empty
  // A 200 whose body holds this (and no "errors") counts as answered; anything else failed.
  std::string expect;
  std::size_t clients = 4;
  std::chrono::milliseconds duration{3000};
};

struct QueryLoadResult {
  std::uint64_t answered = 0;
  std::uint64_t failed = 0;
  std::string first_failure;  // status and the start of the body, or the socket error
  std::size_t response_bytes = 0;  // of the last good answer
  LatencyHistogram latency;
  double wall_s = 0;
};

boost::asio::awaitable<QueryLoadResult> runQueryLoad(boost::asio::ip::tcp::endpoint server, const QueryLoad& load);

}  // namespace sg::bench
