#pragma once
// One HTTP/1.1 connection before any upgrade: reads requests under the header/body
// limits and the slow-client timeout, answers them through the router (keep-alive), and
// hands WebSocket upgrades of /socket/websocket to the authenticator and then to a
// WebSocketSession. Internal to net/.
#include "auth/connect_authenticator.hpp"
#include "http/request.hpp"
#include "http/response.hpp"
#include "net/server_context.hpp"
#include "protocol/phoenix_codec.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <memory>
#include <optional>

namespace sg::net {

class HttpSession final : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(boost::asio::ip::tcp::socket&& socket, ServerContext& ctx, Shard& shard);
  void run();

 private:
  using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;

  void doRead();
  void onRead(boost::beast::error_code ec, std::size_t bytes);
  void handleUpgrade(BeastRequest request, http::Request req);
  void onDecision(BeastRequest request, const http::Request& req, phoenix::Version version,
                  auth::ConnectDecision decision, std::shared_ptr<auth::Admission::Lease> lease);
  void respond(http::Response response, bool keep_alive);
  void onWrite(bool keep_alive, boost::beast::error_code ec, std::size_t bytes);
  void logRequest(const http::Request& req, int status, std::size_t bytes) const;
  void shutdown();

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::optional<boost::beast::http::response<boost::beast::http::string_body>> response_;
  ServerContext& ctx_;
  Shard& shard_;
  std::string peer_ip_;
  std::chrono::steady_clock::time_point started_;
};

// Builds the Beast-free request the rest of the server sees: decoded query, client IP,
// and the redacted target for logs (DESIGN §5: redaction happens once, here).
http::Request toRequest(const boost::beast::http::request<boost::beast::http::string_body>& in,
                        const std::string& peer_ip, const http::TrustedProxies& proxies,
                        const obs::Redactor& redactor);

}  // namespace sg::net
