#pragma once
// One HTTP/1.1 request on a fresh connection from a chosen source address: logins,
// ticket requests, minting with the API key, /metrics. A fresh connection each time
// because the server closes an idle keep-alive connection after its request timeout,
// and because every legitimate client speaks from an address of its own.
#include "coro.hpp"
#include "target.hpp"
#include "wire.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <optional>
#include <string>
#include <vector>

namespace sg::attack {

struct ApiRequest {
  std::string method = "GET";
  std::string target;  // "/api/accounts/login"
  std::vector<Header> headers;
  std::string body;  // sent as application/json when not empty
};

struct ApiResponse {
  int status = 0;  // 0: no response (see error)
  std::string body;
  std::vector<std::string> set_cookies;
  std::optional<int> retry_after_s;  // Retry-After, in seconds
  std::string error;
};

asio::awaitable<ApiResponse> callApi(const Target& target, const asio::ip::address& source, const ApiRequest& request,
                                     Clock::duration timeout);

// A string field of a JSON object body; nullopt when absent or not a string.
std::optional<std::string> jsonString(const std::string& body, std::string_view field);
// The value of cookie `name` among Set-Cookie headers.
std::optional<std::string> cookieFrom(const std::vector<std::string>& set_cookies, std::string_view name);

}  // namespace sg::attack

namespace sg::attack {

// Asks the server, as a backend holding the API key, for a ticket for `user_id` bound to
// `client_ip` and `origin` (either may be empty). nullopt when it is refused.
asio::awaitable<std::optional<std::string>> mintTicket(const Target& target, const std::string& api_key,
                                                       const std::string& user_id, const std::string& client_ip,
                                                       const std::string& origin);

}  // namespace sg::attack
