#pragma once
// Absinthe's GraphQL protocol over Phoenix Channels (absinthe_phoenix's channel, what the
// @absinthe/socket client speaks), on the topic "__absinthe__:control":
//   doc {query, variables, operationName}
//     a query or mutation    -> ok with its result {data, errors?}
//     a subscription         -> ok {subscriptionId: "__absinthe__:doc:<key>"}; then every
//                               broadcast on the subscription's topic arrives as
//                               subscription:data {subscriptionId, result} on the topic
//                               subscriptionId (which the client has not joined)
//     a document that cannot run (syntax, validation, variables, a subscription the caller
//     may not have)          -> error {errors: [...]}
//     variables not an object -> error {error: "Could not parse variables as map"}
//   unsubscribe {subscriptionId} -> ok {subscriptionId}; its results stop
// Documents run through protocol::GraphqlOperations for the socket's identity and peer.
// A subscription is a relay (channels::Relay) from its stream's topic: the result is
// computed once per stream, broadcast and shard, and its message is one object shared by
// every socket on the stream, so each socket's frame is encoded once per wire format.
#include "channels/channel_handler.hpp"
#include "protocol/graphql_operations.hpp"

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sg::app {

class AbsintheChannel final : public channels::ChannelHandler {
 public:
  static constexpr std::string_view kTopic = "__absinthe__:control";
  static constexpr std::string_view kDataEvent = "subscription:data";

  // `operations` outlives this; `shards` is the number of shards sockets live on.
  AbsintheChannel(protocol::GraphqlOperations& operations, std::size_t shards)
      : operations_(operations), shards_(shards) {}

  channels::Reply onEvent(channels::ChannelContext& ctx, const channels::InboundEvent& in) override;

 private:
  class Feed;
  channels::Reply doc(channels::ChannelContext& ctx, const boost::json::value& payload);
  channels::Reply unsubscribe(channels::ChannelContext& ctx, const boost::json::value& payload);
  channels::Reply answer(boost::system::result<protocol::GraphqlOutcome, protocol::GraphqlErrors> outcome);
  // The feed of `stream`, shared by every socket that subscribes to it.
  std::shared_ptr<const Feed> feedFor(const std::shared_ptr<const protocol::GraphqlStream>& stream);

  protocol::GraphqlOperations& operations_;
  std::size_t shards_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::weak_ptr<const Feed>> feeds_;  // by stream key
};

}  // namespace sg::app
