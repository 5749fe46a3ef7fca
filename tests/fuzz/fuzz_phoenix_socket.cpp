// The whole per-connection state machine, driven the way net/ drives it: frames go to a
// PhoenixSocket wired to the built-in application's channels (room:* public,
// user_count:{user_id} and user:{user_id} for their own user), a real one-shard
// Hub (in-process broker) that delivers inline, and a transport that stops taking frames once closed.
//
// Input: the first line configures the socket, every further line is one frame.
//   byte 0 of line 0: bit 0 V2 (else V1); bit 1 signed in as user "42" (else anonymous);
//                     bit 2 first-message auth pending; bit 3 an `auth` control handler
//                     that signs the socket in as "42"; bits 4-6 the topic limit minus 1.
//   frame lines: "B" then the bytes of a binary frame; anything else is a text frame.
// (A binary field of length 10 would contain '\n': the seeds avoid such lengths.)
#include "fuzz_support.hpp"

#include "app/builtin_channels.hpp"
#include "protocol/phoenix_socket.hpp"
#include "pubsub/hub.hpp"
#include "pubsub/in_process_broker.hpp"

#include <boost/json/parse.hpp>

#include <memory>
#include <string>

namespace {

using namespace sg;
using phoenix::Version;

constexpr std::string_view kUser = "42";

const channels::ChannelRegistry& registry() {
  static const channels::ChannelRegistry instance = [] {
    channels::ChannelRegistry r;
    FUZZ_CHECK(app::registerBuiltinChannels(r, ChannelsConfig{}).empty());
    return r;
  }();
  return instance;
}

Identity user42() {
  Identity who;
  who.user_id = std::string(kUser);
  who.session_id = "session-hash";
  who.kind = CredentialKind::Jwt;
  return who;
}

// Every frame the server sends must be one the official client can read.
void checkOutbound(Version version, const std::string& frame, bool binary) {
  if (binary) {
    FUZZ_CHECK(version == Version::V2 && !frame.empty());
    std::vector<std::string_view> fields;
    std::string_view payload;
    switch (frame[0]) {
      case 1:  // reply: join_ref, ref, topic, status
        FUZZ_CHECK(sg::fuzz::readBinaryLayout(frame, 4, fields, payload));
        FUZZ_CHECK(!fields[2].empty() && (fields[3] == "ok" || fields[3] == "error"));
        break;
      case 2:  // broadcast: topic, event (only rooms broadcast binary)
        FUZZ_CHECK(sg::fuzz::readBinaryLayout(frame, 2, fields, payload));
        FUZZ_CHECK(fields[0].starts_with("room:") && !fields[1].empty());
        break;
      default: ::sg::fuzz::broken("unexpected binary frame kind", __FILE__, __LINE__);
    }
    return;
  }
  // Deeper than the inbound limit: a reply nests the client's payload one level down.
  boost::json::parse_options options;
  options.max_depth = 64;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(frame, ec, {}, options);
  FUZZ_CHECK(!ec);
  // A ref is null, a string, or an integer the client sent as one (given back as Phoenix does).
  auto refOk = [](const boost::json::value* r) {
    return r && (r->is_null() || r->is_string() || r->is_int64() || r->is_uint64());
  };
  auto nameOk = [](const boost::json::value* n) { return n && n->is_string() && !n->get_string().empty(); };
  if (version == Version::V2) {
    FUZZ_CHECK(v.is_array() && v.get_array().size() == 5);
    const auto& a = v.get_array();
    FUZZ_CHECK(refOk(&a[0]) && refOk(&a[1]) && nameOk(&a[2]) && nameOk(&a[3]));
  } else {
    FUZZ_CHECK(v.is_object());
    const auto& o = v.get_object();
    FUZZ_CHECK(refOk(o.if_contains("ref")) && refOk(o.if_contains("join_ref")));
    FUZZ_CHECK(nameOk(o.if_contains("topic")) && nameOk(o.if_contains("event")) && o.contains("payload"));
  }
}

class FuzzTransport final : public protocol::Transport {
 public:
  explicit FuzzTransport(Version version) : version_(version) {}

  protocol::SendResult send(pubsub::Frame frame, bool binary) override {
    if (closed) return protocol::SendResult::Closed;
    FUZZ_CHECK(frame != nullptr);
    checkOutbound(version_, *frame, binary);
    return protocol::SendResult::Queued;
  }
  void closeWith(CloseReason, std::optional<int>) override { closed = true; }
  void setMaxMessageBytes(std::size_t) override {}
  Poster poster() override {
    return [](std::function<void()> task) { task(); };
  }
  std::weak_ptr<const void> lifetime() const override { return alive_; }

  bool closed = false;

 private:
  Version version_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

// After every frame: the socket's joined list, its subscriptions and its rights agree.
void checkState(const protocol::PhoenixSocket& socket, const pubsub::Hub& pubsub, int max_topics) {
  FUZZ_CHECK(static_cast<int>(socket.joinedCount()) <= max_topics);
  auto topics = pubsub.localTopics("");
  FUZZ_CHECK(topics.size() == socket.joinedCount());
  if (socket.authPending()) FUZZ_CHECK(socket.joinedCount() == 0);
  for (const auto& t : topics) {
    FUZZ_CHECK(pubsub.localSubscribers(0, t) == 1);
    if (t.starts_with("room:")) continue;
    // Any other topic is a per-user one: only its own, signed-in user may hold it.
    FUZZ_CHECK(t == "user_count:42" || t == "user:42");
    FUZZ_CHECK(!socket.identity().anonymous() && socket.identity().user_id == kUser);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto lines = fuzz::split(fuzz::view(data, size));
  if (lines.empty() || lines[0].empty()) return 0;
  auto flags = static_cast<std::uint8_t>(lines[0][0]);
  Version version = (flags & 1) ? Version::V2 : Version::V1;
  int max_topics = 1 + ((flags >> 4) & 7);

  obs::Metrics metrics;
  pubsub::InProcessBroker broker;
  pubsub::Hub pubsub{{[](std::function<void()> task) { task(); }}, broker};
  FuzzTransport transport(version);
  protocol::PhoenixSocket::Deps deps{registry(), pubsub, metrics};
  {
    Identity identity = (flags & 2) ? user42() : Identity{};
    auto socket = std::make_unique<protocol::PhoenixSocket>(
        version, identity, deps, 0,
        transport, protocol::PhoenixSocketLimits{max_topics});
    socket->setAuthPending(flags & 4);
    // First-message auth as the session does it, for any token.
    struct Control final : protocol::ControlHandler {
      protocol::PhoenixSocket* socket = nullptr;
      Identity* identity = nullptr;
      void onControl(std::string_view event, const boost::json::value&, protocol::ControlReply reply) override {
        if (event != "auth") return reply(channels::Reply::error("unknown event"));
        if (!socket->identity().anonymous()) return reply(channels::Reply::error("already authenticated"));
        *identity = user42();
        socket->setAuthPending(false);
        reply(channels::Reply::okWith(boost::json::object{{"user_id", kUser}}));
      }
      channels::Peer peer() const override { return {"127.0.0.1", "", "ws://localhost"}; }
    } control;
    control.socket = socket.get();
    control.identity = &identity;
    if (flags & 8) socket->setControlHandler(&control);
    for (std::size_t i = 1; i < lines.size() && !transport.closed; ++i) {
      std::string_view line = lines[i];
      if (line.starts_with('B')) socket->onBinary(line.substr(1));
      else socket->onText(line);
      checkState(*socket, pubsub, max_topics);
    }
  }
  // The socket left every topic when it went away.
  FUZZ_CHECK(pubsub.localTopics("").empty());
  return 0;
}
