#include "ws_client.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include <netinet/in.h>
#include <openssl/objects.h>
#include <openssl/ssl.h>

#include <type_traits>

namespace sg::bench {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {

// Frames from the server are small (replies, broadcasts of a few dozen bytes); the
// client's write buffer only has to mask joins and heartbeats.
constexpr std::size_t kWriteBufferBytes = 512;
constexpr std::size_t kReadMessageMax = 64 * 1024;

// Lets many sockets share one source address: the port is picked at connect time, per
// destination, instead of at bind time from the address's single ephemeral range.
using BindAddressNoPort = asio::detail::socket_option::boolean<IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT>;

std::string joinFrame(std::string_view topic, std::string_view join_ref) {
  std::string frame;
  frame.reserve(48 + topic.size());
  frame.append("[\"").append(join_ref).append("\",\"").append(join_ref).append("\",\"");
  frame.append(topic).append("\",\"phx_join\",{}]");
  return frame;
}

// The string field that starts at `pos` (just after its opening quote), or empty.
std::string_view quotedAt(std::string_view frame, std::size_t pos) {
  if (pos >= frame.size()) return {};
  auto end = frame.find('"', pos);
  return end == std::string_view::npos ? std::string_view{} : frame.substr(pos, end - pos);
}

// The quoted value of `"key":"` in `frame`, or empty.
std::string_view stringField(std::string_view frame, std::string_view key_colon_quote) {
  auto pos = frame.find(key_colon_quote);
  return pos == std::string_view::npos ? std::string_view{} : quotedAt(frame, pos + key_colon_quote.size());
}

}  // namespace

std::shared_ptr<WsClient> WsClient::make(asio::io_context& ioc, ClientObserver& observer, std::size_t id,
                                         const ClientTarget& target) {
  if (target.tls) return std::make_shared<BasicWsClient<TlsSocket>>(ioc, observer, id, target);
  return std::make_shared<BasicWsClient<PlainSocket>>(ioc, observer, id, target);
}

template <>
BasicWsClient<PlainSocket>::BasicWsClient(asio::io_context& ioc, ClientObserver& observer, std::size_t id,
                                          const ClientTarget& target)
    : WsClient(observer, id, target), ws_(ioc.get_executor()) {}

template <>
BasicWsClient<TlsSocket>::BasicWsClient(asio::io_context& ioc, ClientObserver& observer, std::size_t id,
                                        const ClientTarget& target)
    : WsClient(observer, id, target), ws_(ioc.get_executor(), *target.tls) {}

template <class Stream>
void BasicWsClient<Stream>::start(const asio::ip::address& source, std::string_view topic) {
  first_topic_ = std::string(topic);
  started_at_ = Clock::now();
  auto& socket = beast::get_lowest_layer(ws_);
  beast::error_code ec;
  socket.open(target_.server.protocol(), ec);
  if (!ec && !source.is_unspecified()) {
    socket.set_option(BindAddressNoPort(true), ec);
    if (!ec) socket.bind(asio::ip::tcp::endpoint(source, 0), ec);
  }
  if (ec) return fail("connect", ec);
  socket.async_connect(target_.server, beast::bind_front_handler(&BasicWsClient::onConnect, this->shared_from_this()));
}

template <class Stream>
void BasicWsClient<Stream>::onConnect(beast::error_code ec) {
  if (ec) return fail("connect", ec);
  beast::get_lowest_layer(ws_).set_option(asio::ip::tcp::no_delay(true), ec);
  if constexpr (std::is_same_v<Stream, TlsSocket>) {
    ws_.next_layer().async_handshake(asio::ssl::stream_base::client,
                                     beast::bind_front_handler(&BasicWsClient::onTlsHandshake, this->shared_from_this()));
  } else {
    upgrade();
  }
}

template <class Stream>
void BasicWsClient<Stream>::onTlsHandshake(beast::error_code ec) {
  if (ec) return fail("tls", ec);
  upgrade();
}

template <class Stream>
void BasicWsClient<Stream>::upgrade() {
  ws_.write_buffer_bytes(kWriteBufferBytes);
  ws_.read_message_max(kReadMessageMax);
  ws_.auto_fragment(false);
  bool graphql_ws = target_.protocol == WireProtocol::graphql_ws;
  ws_.set_option(websocket::stream_base::decorator([graphql_ws](websocket::request_type& req) {
    req.set(beast::http::field::user_agent, "sockguard-loadgen");
    if (graphql_ws) req.set(beast::http::field::sec_websocket_protocol, "graphql-transport-ws");
  }));
  ws_.async_handshake(target_.host_header, target_.path,
                      beast::bind_front_handler(&BasicWsClient::onHandshake, this->shared_from_this()));
}

template <class Stream>
void BasicWsClient<Stream>::onHandshake(beast::error_code ec) {
  if (ec) return fail("upgrade", ec);
  open_ = true;
  if (target_.protocol == WireProtocol::graphql_ws) sendText(R"({"type":"connection_init"})");
  else sendText(joinFrame(first_topic_, "1"));
  std::string().swap(first_topic_);
  doRead();
}

template <class Stream>
void BasicWsClient<Stream>::join(std::string_view topic, std::string_view join_ref) {
  if (open_) sendText(joinFrame(topic, join_ref));
}

template <class Stream>
void BasicWsClient<Stream>::subscribe(std::string_view id, std::string_view query) {
  if (!open_) return;
  std::string quoted = boost::json::serialize(boost::json::string(query));
  std::string frame;
  if (target_.protocol == WireProtocol::graphql_ws) {
    frame.append(R"({"id":")").append(id).append(R"(","type":"subscribe","payload":{"query":)");
    frame.append(quoted).append("}}");
  } else {
    // A push on the control channel (joined with join_ref "1"); its reply carries `id` as ref.
    frame.append(R"(["1",")").append(id).append(R"(","__absinthe__:control","doc",{"query":)");
    frame.append(quoted).append("}]");
  }
  sendText(std::move(frame));
}

template <class Stream>
void BasicWsClient<Stream>::sendHeartbeat() {
  if (!open_) return;
  if (target_.protocol == WireProtocol::graphql_ws) sendText(R"({"type":"ping"})");
  else sendText(R"([null,"h","phoenix","heartbeat",{}])");
}

template <class Stream>
void BasicWsClient<Stream>::abort() {
  closed_ = true;
  open_ = false;
  beast::error_code ec;
  beast::get_lowest_layer(ws_).close(ec);
}

template <class Stream>
std::string BasicWsClient<Stream>::tlsSession() const {
  if constexpr (std::is_same_v<Stream, TlsSocket>) {
    // native_handle() is not const in Asio; reading the session changes nothing.
    SSL* ssl = const_cast<TlsSocket&>(ws_.next_layer()).native_handle();
    if (!open_ || !ssl) return {};
    std::string out = std::string(SSL_get_version(ssl)) + ", " + SSL_get_cipher_name(ssl);
    if (auto group = static_cast<int>(SSL_get_negotiated_group(ssl)); group != NID_undef) {
      if (const char* name = OBJ_nid2sn(group)) out.append(", ").append(name);
    }
    return out;
  }
  return {};
}

template <class Stream>
void BasicWsClient<Stream>::doRead() {
  ws_.async_read(buffer_, beast::bind_front_handler(&BasicWsClient::onRead, this->shared_from_this()));
}

template <class Stream>
void BasicWsClient<Stream>::onRead(beast::error_code ec, std::size_t) {
  if (ec) return fail("read", ec);
  dispatch(std::string_view(static_cast<const char*>(buffer_.cdata().data()), buffer_.size()));
  buffer_.consume(buffer_.size());
  doRead();
}

template <class Stream>
void BasicWsClient<Stream>::dispatch(std::string_view frame) {
  if (target_.protocol == WireProtocol::graphql_ws) return dispatchGraphqlWs(frame);
  constexpr std::string_view kBroadcast = R"([null,null,")";
  if (frame.starts_with(kBroadcast)) {
    observer_.onBroadcast(*this, quotedAt(frame, kBroadcast.size()), frame);
    return;
  }
  // Our joins are the only messages we send with a join_ref: `["ref","ref",topic,"phx_reply",...]`.
  if (frame.starts_with("[\"") && frame.find(R"(,"phx_reply",)") != std::string_view::npos) {
    bool ok = frame.find(R"("status":"ok")") != std::string_view::npos;
    std::string_view join_ref = quotedAt(frame, 2);
    // `["join_ref","ref",...`: a join's ref is its join_ref; a doc push's is its own.
    std::size_t ref_at = 2 + join_ref.size() + 3;
    std::string_view ref = ref_at < frame.size() && frame[ref_at - 1] == '"' ? quotedAt(frame, ref_at) : join_ref;
    if (target_.protocol == WireProtocol::absinthe && ref != join_ref) return observer_.onSubscribeReply(*this, ok);
    observer_.onJoinReply(*this, join_ref, ok);
  }
  // Heartbeat replies and anything else need no attention.
}

// The server writes `{"id":"...","type":"next",...}` and `{"type":"connection_ack",...}`;
// the type is looked for, not assumed at a position, to stay cheap and still correct.
template <class Stream>
void BasicWsClient<Stream>::dispatchGraphqlWs(std::string_view frame) {
  if (frame.find(R"("type":"next")") != std::string_view::npos) {
    return observer_.onNext(*this, stringField(frame, R"("id":")"), frame);
  }
  if (frame.find(R"("type":"connection_ack")") != std::string_view::npos) {
    return observer_.onJoinReply(*this, "1", true);
  }
  if (frame.find(R"("type":"error")") != std::string_view::npos) return observer_.onSubscribeReply(*this, false);
  // pong, complete: nothing to do.
}

template <class Stream>
void BasicWsClient<Stream>::sendText(std::string frame) {
  outbox_.push_back(std::move(frame));
  if (!writing_) doWrite();
}

template <class Stream>
void BasicWsClient<Stream>::doWrite() {
  writing_ = true;
  ws_.text(true);
  ws_.async_write(asio::buffer(outbox_.front()),
                  beast::bind_front_handler(&BasicWsClient::onWrite, this->shared_from_this()));
}

template <class Stream>
void BasicWsClient<Stream>::onWrite(beast::error_code ec, std::size_t) {
  writing_ = false;
  outbox_.erase(outbox_.begin());
  if (ec) return fail("write", ec);
  if (!outbox_.empty()) doWrite();
}

template <class Stream>
void BasicWsClient<Stream>::fail(std::string_view stage, beast::error_code ec) {
  open_ = false;
  if (closed_) return;  // our own abort(), or a second failing operation
  closed_ = true;
  std::string why = ec.message();
  if (ec == websocket::error::closed) {
    const auto& reason = ws_.reason();
    why = "closed by server: " + std::to_string(reason.code) + " " + std::string(reason.reason.c_str());
  }
  observer_.onClosed(*this, stage, why);
}

template class BasicWsClient<PlainSocket>;
template class BasicWsClient<TlsSocket>;

}  // namespace sg::bench
