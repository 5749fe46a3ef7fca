#include "api_client.hpp"

#include "addresses.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace sg::attack {
namespace beast = boost::beast;
namespace bhttp = beast::http;

asio::awaitable<ApiResponse> callApi(const Target& target, const asio::ip::address& source, const ApiRequest& request,
                                     Clock::duration timeout) {
  ApiResponse out;
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  boost::system::error_code ec = bindSource(stream.socket(), source);
  if (ec) {
    out.error = "bind: " + ec.message();
    co_return out;
  }
  stream.expires_after(timeout);
  co_await stream.async_connect(target.server, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    out.error = "connect: " + ec.message();
    co_return out;
  }
  bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(request.method), request.target, 11};
  req.set(bhttp::field::host, target.host);
  req.set(bhttp::field::user_agent, "sockguard-attack");
  for (const auto& h : request.headers) req.set(h.name, h.value);
  if (!request.body.empty()) {
    req.set(bhttp::field::content_type, "application/json");
    req.body() = request.body;
  }
  req.keep_alive(false);
  req.prepare_payload();
  co_await bhttp::async_write(stream, req, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    out.error = "write: " + ec.message();
    co_return out;
  }
  beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> res;
  co_await bhttp::async_read(stream, buffer, res, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    out.error = "read: " + ec.message();
    co_return out;
  }
  out.status = static_cast<int>(res.result_int());  // Beast parsed three digits: 100 to 999
  out.body = std::move(res.body());
  for (const auto& field : res) {
    if (field.name() == bhttp::field::set_cookie) out.set_cookies.emplace_back(field.value());
    if (field.name() == bhttp::field::retry_after) out.retry_after_s = std::atoi(std::string(field.value()).c_str());
  }
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  co_return out;
}

std::optional<std::string> jsonString(const std::string& body, std::string_view field) {
  boost::system::error_code ec;
  auto value = boost::json::parse(body, ec);
  if (ec || !value.is_object()) return std::nullopt;
  const auto* v = value.get_object().if_contains(field);
  if (!v || !v->is_string()) return std::nullopt;
  return std::string(v->get_string());
}

std::optional<std::string> cookieFrom(const std::vector<std::string>& set_cookies, std::string_view name) {
  for (const auto& header : set_cookies) {
    std::string_view h = header;
    if (h.size() > name.size() && h.substr(0, name.size()) == name && h[name.size()] == '=') {
      auto value = h.substr(name.size() + 1);
      return std::string(value.substr(0, value.find(';')));
    }
  }
  return std::nullopt;
}

}  // namespace sg::attack

namespace sg::attack {

asio::awaitable<std::optional<std::string>> mintTicket(const Target& target, const std::string& api_key,
                                                       const std::string& user_id, const std::string& client_ip,
                                                       const std::string& origin) {
  boost::json::object body{{"user_id", user_id}};
  if (!client_ip.empty()) body["client_ip"] = client_ip;
  if (!origin.empty()) body["origin"] = origin;
  ApiRequest request{
      "POST", "/api/socket/ticket", {{"Authorization", "Bearer " + api_key}}, boost::json::serialize(body)};
  auto source = target.server.address();
  ApiResponse response = co_await callApi(target, source, request, 10s);
  if (response.status != 200) co_return std::nullopt;
  co_return jsonString(response.body, "ticket");
}

}  // namespace sg::attack
