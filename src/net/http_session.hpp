#pragma once
// One HTTP/1.1 connection before any upgrade: reads requests under the header/body
// limits and the slow-client timeout (Beast's parser, fed from the byte stream), answers
// them through the router with keep-alive, and takes WebSocket upgrades through their
// endpoint, the limits and the authenticator to a WebSocketConnection (or a refusal).
// Internal to net/.
#include "auth/connect_authenticator.hpp"
#include "http/request.hpp"
#include "http/response.hpp"
#include "http/router.hpp"
#include "net/byte_stream.hpp"
#include "net/request_parser.hpp"
#include "net/server_context.hpp"
#include "net/ws_handshake.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

namespace sg::net {

class HttpSession final : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(ByteStream stream, std::string peer_ip, ServerContext& ctx, Shard& shard);
  void run();

 private:
  // What follows once the response's bytes are written.
  enum class AfterWrite : std::uint8_t {
    NextRequest,  // keep-alive: the next request (or the end, without keep-alive)
    Upgrade,      // the 101 (or a refusal told over WebSocket): the connection takes over
  };

  // Reading: parse what the buffer holds; read more when the parser wants it.
  void startRequest();
  // Arms the timer for deadline_ (see the .cpp for why it is not re-armed per request).
  void armTimer();
  // Reads more of the request, or waits until the socket has some.
  void readMore();
  void parse();
  void onRequest();
  // Answers the request later, from any thread (a handler's work elsewhere, a held poll).
  http::Respond responder(bool keep_alive, bool head);

  void handleUpgrade();
  void onDecision(const protocol::Endpoint& endpoint, std::string subprotocol, ws::AcceptKey accept_key,
                  auth::ConnectDecision decision, std::shared_ptr<auth::Admission::Lease> lease);
  void logDecision(const auth::ConnectDecision& decision) const;
  void upgrade();

  // Writing: the response's bytes, then keep-alive (or close), or the upgrade.
  // `head`: the answer to a HEAD request (its headers, no body).
  void respond(http::Response response, bool keep_alive, bool head = false);
  // Writes what the socket takes of `bytes` now; the rest is kept in out_ for writeOut.
  void send(std::string_view bytes);
  // Writes what the socket takes of `bytes` now, dropping it from the front; false when a
  // write failed (the session has then ended).
  bool writeNow(std::string_view& bytes);
  // Writes the rest of out_, waiting for room as often as needed.
  void writeOut();
  void awaitWritable();
  // Every byte is with the stream: TLS records flushed, then what follows the response
  // (the next request, the end, or the upgrade).
  void written();
  // Headers every response gets on this connection (HSTS over TLS).
  void decorate(http::Response& response) const;
  void logRequest(int status, std::size_t bytes) const;
  void end();

  ByteStream stream_;
  ServerContext& ctx_;
  Shard& shard_;
  boost::beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
  boost::asio::steady_timer timer_;  // the request's deadline (slowloris)
  std::chrono::steady_clock::time_point deadline_;  // of the request being read
  bool reading_ = false;      // a request is being read: deadline_ applies
  bool timer_armed_ = false;  // timer_ has a wait pending
  // The request being answered, from onRequest until its response is written (a handler
  // may use it until it responds; the responder holds the session). A member, so that
  // the request is moved once per request and no shared copy is allocated for it.
  http::Request request_;
  std::string out_;                  // response bytes the socket has not taken yet
  std::size_t out_written_ = 0;
  std::string peer_ip_;
  bool keep_alive_ = false;
  bool ended_ = false;
  AfterWrite after_write_ = AfterWrite::NextRequest;
  // The upgrade's outcome, from the decision until the 101 is written.
  const protocol::Endpoint* upgrade_endpoint_ = nullptr;
  std::optional<auth::ConnectDecision> upgrade_decision_;
  std::shared_ptr<auth::Admission::Lease> upgrade_lease_;
  std::chrono::steady_clock::time_point started_;
};

// Completes a parsed request (method, target, headers, body) into the one the rest of the
// server sees: path, decoded query, client IP, and the redacted target for logs (DESIGN
// §5: redaction happens once, here).
void completeRequest(http::Request& r, const std::string& peer_ip, bool tls, const http::TrustedProxies& proxies,
                     const obs::Redactor& redactor);

// The bytes of an HTTP/1.1 response (status line, headers, Content-Length, body), into
// `out` (replacing what it held).
void serializeResponse(std::string& out, const http::Response& response, bool keep_alive, bool head);

}  // namespace sg::net
