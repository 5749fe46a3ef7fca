#pragma once
// Other nodes' presence entries, per topic and node, as this node learned them from the
// cluster: their presence_diff broadcasts and their answers to state requests. Kept only
// for presence topics with subscribers on this node (the broker brings their diffs here
// and no others); a joiner's presence_state is this node's own entries and these.
// Thread-safe (one lock; taken per change, never per delivered message).
#include "presence/digest.hpp"
#include "presence/presence_json.hpp"

#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sg::presence {

class Replica {
 public:
  using Entries = std::vector<Entry>;
  struct Change {
    Entries joins, leaves;
    bool empty() const { return joins.empty() && leaves.empty(); }
  };

  // A diff from the cluster; entries of `own_node` (this node's, already known) are skipped.
  void applyDiff(const std::string& topic, std::string_view own_node, const Entries& joins, const Entries& leaves);
  // `node`'s complete entries on `topic` (its answer to a state request) replace what was
  // known; returns the difference, for this node's sockets.
  Change replaceNode(const std::string& topic, const std::string& node, Entries entries);
  // `node` is gone: its entries leave every topic. Per topic, what left.
  std::vector<std::pair<std::string, Entries>> dropNode(const std::string& node);
  // No subscriber is left on this node: its diffs stop coming, so what is known goes stale.
  void dropTopic(const std::string& topic);

  void appendEntries(const std::string& topic, std::vector<Entry>& out) const;
  Digest digest(const std::string& topic, const std::string& node) const;
  std::size_t size() const;

 private:
  struct NodeEntries {
    std::map<std::string, Entry> by_ref;
    Digest digest;
  };
  using Topic = std::unordered_map<std::string, NodeEntries>;  // by node
  static void put(NodeEntries& node, Entry entry);

  mutable std::mutex mutex_;
  std::unordered_map<std::string, Topic> topics_;
  std::size_t size_ = 0;
};

}  // namespace sg::presence
