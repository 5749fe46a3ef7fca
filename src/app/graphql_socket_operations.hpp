#pragma once
// The application's GraphQL API for the socket protocols (protocol::GraphqlOperations):
// queries and mutations run as over HTTP but for the connection's identity; subscriptions
// become streams on pub/sub topics, authorized like Phoenix joins:
//   accountsUserCount(userId)  -> user_count:{id}, the caller's own id only
//   channel(topic)             -> `topic`, under the channel registry's join rules
// Streams of the same document, operation, variables and topic are shared (one per key,
// alive while a socket listens), so each broadcast is executed once per stream and shard.
#include "app/graphql_service.hpp"
#include "channels/channel_registry.hpp"
#include "protocol/graphql_operations.hpp"

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace sg::app {

class GraphqlSocketOperations final : public protocol::GraphqlOperations {
 public:
  GraphqlSocketOperations(std::shared_ptr<GraphqlService> service, const channels::ChannelRegistry& channels,
                          std::size_t shards)
      : service_(std::move(service)), channels_(channels), shards_(shards) {}

  void run(protocol::GraphqlRequest request, const protocol::GraphqlSocketCaller& caller, Post post,
           Done done) override;

  // Streams alive now, and subscription executions so far (one per stream, broadcast and
  // shard): /metrics shows both.
  std::size_t liveStreams() const;
  std::uint64_t eventExecutions() const { return executions_.load(std::memory_order_relaxed); }

 private:
  class Stream;
  struct Topic;
  void subscribe(graphql::PreparedPtr document, protocol::GraphqlRequest request,
                 const protocol::GraphqlSocketCaller& caller, Post post, Done done);
  void execute(graphql::PreparedPtr document, protocol::GraphqlRequest request,
               const protocol::GraphqlSocketCaller& caller, Post post, Done done);
  std::shared_ptr<const Stream> streamFor(graphql::PreparedPtr document, protocol::GraphqlRequest request, Topic topic);

  std::shared_ptr<GraphqlService> service_;
  const channels::ChannelRegistry& channels_;
  std::size_t shards_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::weak_ptr<const Stream>> streams_;
  std::atomic<std::uint64_t> executions_{0};
};

}  // namespace sg::app
