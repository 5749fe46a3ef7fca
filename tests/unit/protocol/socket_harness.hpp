#pragma once
// What a PhoenixSocket needs, wired for tests: the built-in application's channel rules
// (room:* for anyone, user_count:{user_id} for its own user), a one-shard Hub on the
// in-process broker that runs deliveries inline, and metrics.
#include "protocol/fake_transport.hpp"
#include "protocol/phoenix_socket.hpp"

#include "channels/room_channel.hpp"
#include "pubsub/hub.hpp"
#include "pubsub/in_process_broker.hpp"

#include <boost/json/parse.hpp>

#include <memory>

namespace sg::test {

inline Identity userIdentity(std::string user_id) {
  Identity who;
  who.user_id = std::move(user_id);
  who.session_id = "session-hash";
  who.kind = CredentialKind::Jwt;
  return who;
}

inline boost::json::value okReply(std::string_view join_ref, std::string_view ref, std::string_view topic,
                                  std::string_view response = "{}") {
  return boost::json::parse(R"([")" + std::string(join_ref) + R"(",")" + std::string(ref) + R"(",")" +
                            std::string(topic) + R"(","phx_reply",{"status":"ok","response":)" +
                            std::string(response) + "}]");
}

inline boost::json::value errorReply(std::string_view join_ref, std::string_view ref, std::string_view topic,
                                     std::string_view reason) {
  return boost::json::parse(R"([")" + std::string(join_ref) + R"(",")" + std::string(ref) + R"(",")" +
                            std::string(topic) + R"(","phx_reply",{"status":"error","response":{"reason":")" +
                            std::string(reason) + R"("}}])");
}

class SocketHarness {
 public:
  SocketHarness() {
    auto room = std::make_shared<channels::RoomChannel>();
    registry.add("room:*", channels::anyone(), room);
    registry.add("user_count:{user_id}", channels::ownUser("user_id"), std::make_shared<channels::ListenOnlyChannel>());
  }

  std::unique_ptr<protocol::PhoenixSocket> makeSocket(FakeTransport& transport,
                                                      phoenix::Version version = phoenix::Version::V2,
                                                      Identity identity = userIdentity("42"), int max_topics = 100) {
    // A socket reads its connection's identity; the harness keeps one per socket.
    identities.push_back(std::make_unique<Identity>(std::move(identity)));
    return std::make_unique<protocol::PhoenixSocket>(
        version, *identities.back(), deps, 0, transport,
        protocol::PhoenixSocketLimits{max_topics});
  }

  std::size_t subscribers(const std::string& topic) const { return pubsub.localSubscribers(0, topic); }

  std::vector<std::unique_ptr<Identity>> identities;
  channels::ChannelRegistry registry;
  pubsub::InProcessBroker broker;
  pubsub::Hub pubsub{{[](std::function<void()> task) { task(); }}, broker};
  obs::Metrics metrics;
  protocol::PhoenixSocket::Deps deps{registry, pubsub, metrics};
};

}  // namespace sg::test
