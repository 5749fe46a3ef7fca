#include "presence/replica.hpp"

namespace sg::presence {

void Replica::put(NodeEntries& node, Entry entry) {
  std::string ref = entry.meta.phx_ref;
  auto [it, added] = node.by_ref.insert_or_assign(ref, std::move(entry));
  if (added) node.digest.add(ref);
}

void Replica::applyDiff(const std::string& topic, std::string_view own_node, const Entries& joins,
                        const Entries& leaves) {
  std::lock_guard lock(mutex_);
  auto& t = topics_[topic];
  for (const auto& e : joins) {
    auto node = nodeOf(e.meta.phx_ref);
    if (node == own_node) continue;
    auto& n = t[std::string(node)];
    auto before = n.by_ref.size();
    put(n, e);
    size_ += n.by_ref.size() - before;
  }
  for (const auto& e : leaves) {
    auto node = t.find(std::string(nodeOf(e.meta.phx_ref)));
    if (node == t.end() || node->second.by_ref.erase(e.meta.phx_ref) == 0) continue;
    node->second.digest.remove(e.meta.phx_ref);
    --size_;
    if (node->second.by_ref.empty()) t.erase(node);
  }
  if (t.empty()) topics_.erase(topic);
}

Replica::Change Replica::replaceNode(const std::string& topic, const std::string& node, Entries entries) {
  Change change;
  NodeEntries fresh;
  for (auto& e : entries) {
    if (nodeOf(e.meta.phx_ref) == node) put(fresh, std::move(e));  // a node answers for itself only
  }
  std::lock_guard lock(mutex_);
  auto& t = topics_[topic];
  auto& old = t[node];
  for (const auto& [ref, e] : fresh.by_ref)
    if (!old.by_ref.contains(ref)) change.joins.push_back(e);
  for (const auto& [ref, e] : old.by_ref)
    if (!fresh.by_ref.contains(ref)) change.leaves.push_back(e);
  size_ = size_ - old.by_ref.size() + fresh.by_ref.size();
  old = std::move(fresh);
  if (old.by_ref.empty()) t.erase(node);
  if (t.empty()) topics_.erase(topic);
  return change;
}

std::vector<std::pair<std::string, Replica::Entries>> Replica::dropNode(const std::string& node) {
  std::vector<std::pair<std::string, Entries>> out;
  std::lock_guard lock(mutex_);
  for (auto t = topics_.begin(); t != topics_.end();) {
    if (auto n = t->second.find(node); n != t->second.end()) {
      Entries left;
      for (auto& [ref, e] : n->second.by_ref) left.push_back(std::move(e));
      size_ -= left.size();
      out.emplace_back(t->first, std::move(left));
      t->second.erase(n);
    }
    t = t->second.empty() ? topics_.erase(t) : std::next(t);
  }
  return out;
}

void Replica::dropTopic(const std::string& topic) {
  std::lock_guard lock(mutex_);
  auto t = topics_.find(topic);
  if (t == topics_.end()) return;
  for (const auto& [node, entries] : t->second) size_ -= entries.by_ref.size();
  topics_.erase(t);
}

void Replica::appendEntries(const std::string& topic, std::vector<Entry>& out) const {
  std::lock_guard lock(mutex_);
  auto t = topics_.find(topic);
  if (t == topics_.end()) return;
  for (const auto& [node, entries] : t->second)
    for (const auto& [ref, e] : entries.by_ref) out.push_back(e);
}

Digest Replica::digest(const std::string& topic, const std::string& node) const {
  std::lock_guard lock(mutex_);
  auto t = topics_.find(topic);
  if (t == topics_.end()) return {};
  auto n = t->second.find(node);
  return n == t->second.end() ? Digest{} : n->second.digest;
}

std::size_t Replica::size() const {
  std::lock_guard lock(mutex_);
  return size_;
}

}  // namespace sg::presence
