#pragma once
// Phoenix Presence on one node: who is joined to each presence topic (the topics matching
// `channels.presence_topics`). A socket that joins such a topic is tracked under its
// user id with one meta (phx_ref, online_at, client); leaving or disconnecting untracks
// it. Each change is published as an ordinary `presence_diff` broadcast on the topic, so
// the hub encodes it once per codec for every socket there and a cluster's broker carries
// it to the other nodes like any broadcast. A joiner's `presence_state` comes from
// state(). A user with several sockets is one key with several metas.
//
// Threads: track/untrack/state from any shard; one lock guards the entries (taken per
// join and leave of a presence topic, never per delivered message). Diffs are published
// after the lock is released: the join and leave of one meta come from the same socket,
// so from one thread, and keep their order; diffs of different metas commute.
//
// In a cluster each node tracks its own sockets (phx_refs start with the node's prefix,
// so an entry's node is known from its ref) and keeps a Replica of the other nodes'
// entries, which ClusterBroker fills; state() is both.
#include "channels/topic_pattern.hpp"
#include "core/clock.hpp"
#include "presence/digest.hpp"
#include "presence/presence_json.hpp"
#include "presence/replica.hpp"
#include "pubsub/pubsub.hpp"

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sg::presence {

class Tracker {
 public:
  // nullopt (and `error` says which) when a pattern is malformed.
  static std::optional<std::vector<channels::TopicPattern>> parseTopics(const std::vector<std::string>& patterns,
                                                                         std::string* error);

  // `node_prefix`: the first kNodePrefixChars characters of every phx_ref this node makes
  // (random per start when empty: refs of two nodes, or of two runs of one, never collide).
  Tracker(std::vector<channels::TopicPattern> topics, pubsub::PubSub& pubsub, const Clock& clock,
          std::string node_prefix = {});

  // True when `topic` is a presence topic. Any thread, no lock (the patterns never change).
  bool covers(std::string_view topic) const;

  // `owner` (a socket) joined `topic` as `key`. Replaces an earlier meta of the same
  // owner there (a leave, then a join). Publishes the join.
  void track(const std::string& topic, const void* owner, const std::string& key, std::string client);
  // `owner` left `topic`; nothing when it was not tracked there. Publishes the leave.
  void untrack(const std::string& topic, const void* owner);
  // The presence_state payload for `topic` (JSON text): this node's entries in join
  // order, then the other nodes' (the replica's).
  std::string state(const std::string& topic) const;
  // Metas tracked on this node, for /metrics.
  std::size_t size() const;

  // For the cluster part (ClusterBroker):
  const std::string& node() const { return node_prefix_; }
  Replica& replica() { return replica_; }
  // This node's own entries on `topic`, in join order.
  std::vector<Entry> localEntries(const std::string& topic) const;
  // Per topic with entries on this node, their digest.
  std::vector<std::pair<std::string, Digest>> digests() const;

  // The join parameter `client` names the connection's client in its meta: 1 to
  // kMaxClientBytes bytes of UTF-8 without control characters.
  static constexpr std::size_t kMaxClientBytes = 64;
  static bool validClient(std::string_view client);

 private:
  struct Tracked {
    Entry entry;
    std::uint64_t seq;  // join order within the node
  };
  struct Topic {
    std::unordered_map<const void*, Tracked> by_owner;
    Digest digest;
  };
  std::vector<const Tracked*> inJoinOrder(const Topic& topic) const;  // under mutex_

  std::string nextRef();  // under mutex_
  // Removes owner's entry from `topic` (under mutex_); the removed entry, if any.
  std::optional<Entry> remove(const std::string& topic, const void* owner);
  void publish(const std::string& topic, const Entry& entry, bool joined);

  const std::vector<channels::TopicPattern> topics_;
  pubsub::PubSub& pubsub_;
  const Clock& clock_;
  std::string node_prefix_;  // kNodePrefixChars characters
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Topic> entries_;
  std::uint64_t next_seq_ = 0;
  std::size_t size_ = 0;
  Replica replica_;
};

}  // namespace sg::presence
