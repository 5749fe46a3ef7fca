#include "ws_client.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <netinet/in.h>

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

}  // namespace

WsClient::WsClient(asio::io_context& ioc, ClientObserver& observer, std::size_t id)
    : ws_(ioc.get_executor()), observer_(observer), id_(id) {}

void WsClient::start(const ClientTarget& target, const asio::ip::address& source, std::string_view topic) {
  target_ = &target;
  first_topic_ = std::string(topic);
  started_at_ = Clock::now();
  auto& socket = beast::get_lowest_layer(ws_);
  beast::error_code ec;
  socket.open(target.server.protocol(), ec);
  if (!ec && !source.is_unspecified()) {
    socket.set_option(BindAddressNoPort(true), ec);
    if (!ec) socket.bind(asio::ip::tcp::endpoint(source, 0), ec);
  }
  if (ec) return fail("connect", ec);
  socket.async_connect(target.server, beast::bind_front_handler(&WsClient::onConnect, shared_from_this()));
}

void WsClient::onConnect(beast::error_code ec) {
  if (ec) return fail("connect", ec);
  beast::get_lowest_layer(ws_).set_option(asio::ip::tcp::no_delay(true), ec);
  ws_.write_buffer_bytes(kWriteBufferBytes);
  ws_.read_message_max(kReadMessageMax);
  ws_.auto_fragment(false);
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::request_type& req) { req.set(beast::http::field::user_agent, "sockguard-loadgen"); }));
  ws_.async_handshake(target_->host_header, target_->path,
                      beast::bind_front_handler(&WsClient::onHandshake, shared_from_this()));
}

void WsClient::onHandshake(beast::error_code ec) {
  if (ec) return fail("upgrade", ec);
  open_ = true;
  sendText(joinFrame(first_topic_, "1"));
  std::string().swap(first_topic_);
  doRead();
}

void WsClient::join(std::string_view topic, std::string_view join_ref) {
  if (open_) sendText(joinFrame(topic, join_ref));
}

void WsClient::sendHeartbeat() {
  if (open_) sendText(R"([null,"h","phoenix","heartbeat",{}])");
}

void WsClient::abort() {
  closed_ = true;
  open_ = false;
  beast::error_code ec;
  beast::get_lowest_layer(ws_).close(ec);
}

void WsClient::doRead() {
  ws_.async_read(buffer_, beast::bind_front_handler(&WsClient::onRead, shared_from_this()));
}

void WsClient::onRead(beast::error_code ec, std::size_t) {
  if (ec) return fail("read", ec);
  dispatch(std::string_view(static_cast<const char*>(buffer_.cdata().data()), buffer_.size()));
  buffer_.consume(buffer_.size());
  doRead();
}

void WsClient::dispatch(std::string_view frame) {
  constexpr std::string_view kBroadcast = R"([null,null,")";
  if (frame.starts_with(kBroadcast)) {
    observer_.onBroadcast(*this, quotedAt(frame, kBroadcast.size()), frame);
    return;
  }
  // Our joins are the only messages we send with a join_ref: `["ref","ref",topic,"phx_reply",...]`.
  if (frame.starts_with("[\"") && frame.find(R"(,"phx_reply",)") != std::string_view::npos) {
    bool ok = frame.find(R"("status":"ok")") != std::string_view::npos;
    observer_.onJoinReply(*this, quotedAt(frame, 2), ok);
  }
  // Heartbeat replies and anything else need no attention.
}

void WsClient::sendText(std::string frame) {
  outbox_.push_back(std::move(frame));
  if (!writing_) doWrite();
}

void WsClient::doWrite() {
  writing_ = true;
  ws_.text(true);
  ws_.async_write(asio::buffer(outbox_.front()), beast::bind_front_handler(&WsClient::onWrite, shared_from_this()));
}

void WsClient::onWrite(beast::error_code ec, std::size_t) {
  writing_ = false;
  outbox_.erase(outbox_.begin());
  if (ec) return fail("write", ec);
  if (!outbox_.empty()) doWrite();
}

void WsClient::fail(std::string_view stage, beast::error_code ec) {
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

}  // namespace sg::bench
