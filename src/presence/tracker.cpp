#include "presence/tracker.hpp"

#include "core/encoding.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <chrono>

namespace sg::presence {

std::optional<std::vector<channels::TopicPattern>> Tracker::parseTopics(const std::vector<std::string>& patterns,
                                                                         std::string* error) {
  std::vector<channels::TopicPattern> out;
  for (const auto& text : patterns) {
    auto pattern = channels::TopicPattern::parse(text);
    if (!pattern) {
      if (error) *error = "channels.presence_topics: bad pattern '" + text + "'";
      return std::nullopt;
    }
    out.push_back(std::move(*pattern));
  }
  return out;
}

Tracker::Tracker(std::vector<channels::TopicPattern> topics, pubsub::PubSub& pubsub, const Clock& clock,
                 std::string node_prefix)
    // 6 random bytes are 8 base64url characters: one in 2^48 that two nodes share a prefix.
    : topics_(std::move(topics)), pubsub_(pubsub), clock_(clock),
      node_prefix_(node_prefix.empty() ? randomToken(6) : std::move(node_prefix)) {
  node_prefix_.resize(kNodePrefixChars, '_');
}

bool Tracker::covers(std::string_view topic) const {
  return std::any_of(topics_.begin(), topics_.end(), [&](const auto& p) { return p.match(topic).has_value(); });
}

bool Tracker::validClient(std::string_view client) {
  if (client.empty() || client.size() > kMaxClientBytes) return false;
  // The payload it came in was checked to be UTF-8 already; control characters have no
  // business in a name shown to everyone in the topic.
  return std::none_of(client.begin(), client.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

std::string Tracker::nextRef() {
  // The counter's 48 low bits, big-endian: 8 more base64url characters.
  std::string bytes(6, '\0');
  std::uint64_t n = ++next_seq_;
  for (int i = 5; i >= 0; --i) {
    bytes[static_cast<std::size_t>(i)] = static_cast<char>(n & 0xff);
    n >>= 8;
  }
  return node_prefix_ + base64urlEncode(bytes);
}

void Tracker::track(const std::string& topic, const void* owner, const std::string& key, std::string client) {
  auto online_at = std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch()).count();
  std::optional<Entry> replaced;
  Entry joined;
  {
    std::lock_guard lock(mutex_);
    replaced = remove(topic, owner);
    joined = Entry{key, Meta{nextRef(), static_cast<std::int64_t>(online_at), std::move(client)}};
    auto& t = entries_[topic];
    t.by_owner.emplace(owner, Tracked{joined, next_seq_});
    t.digest.add(joined.meta.phx_ref);
    ++size_;
  }
  if (replaced) publish(topic, *replaced, false);
  publish(topic, joined, true);
}

void Tracker::untrack(const std::string& topic, const void* owner) {
  std::optional<Entry> left;
  {
    std::lock_guard lock(mutex_);
    left = remove(topic, owner);
  }
  if (left) publish(topic, *left, false);
}

std::optional<Entry> Tracker::remove(const std::string& topic, const void* owner) {
  auto t = entries_.find(topic);
  if (t == entries_.end()) return std::nullopt;
  auto it = t->second.by_owner.find(owner);
  if (it == t->second.by_owner.end()) return std::nullopt;
  Entry out = std::move(it->second.entry);
  t->second.by_owner.erase(it);
  t->second.digest.remove(out.meta.phx_ref);
  if (t->second.by_owner.empty()) entries_.erase(t);
  --size_;
  return out;
}

std::vector<const Tracker::Tracked*> Tracker::inJoinOrder(const Topic& topic) const {
  std::vector<const Tracked*> out;
  out.reserve(topic.by_owner.size());
  for (const auto& [owner, tracked] : topic.by_owner) out.push_back(&tracked);
  std::sort(out.begin(), out.end(), [](const Tracked* a, const Tracked* b) { return a->seq < b->seq; });
  return out;
}

std::vector<Entry> Tracker::localEntries(const std::string& topic) const {
  std::vector<Entry> out;
  std::lock_guard lock(mutex_);
  if (auto t = entries_.find(topic); t != entries_.end()) {
    for (const Tracked* tracked : inJoinOrder(t->second)) out.push_back(tracked->entry);
  }
  return out;
}

std::string Tracker::state(const std::string& topic) const {
  std::vector<Entry> entries = localEntries(topic);
  replica_.appendEntries(topic, entries);
  std::vector<const Entry*> view;
  view.reserve(entries.size());
  for (const auto& e : entries) view.push_back(&e);
  return boost::json::serialize(presencesJson(view));
}

std::vector<std::pair<std::string, Digest>> Tracker::digests() const {
  std::vector<std::pair<std::string, Digest>> out;
  std::lock_guard lock(mutex_);
  out.reserve(entries_.size());
  for (const auto& [topic, t] : entries_) out.emplace_back(topic, t.digest);
  return out;
}

std::size_t Tracker::size() const {
  std::lock_guard lock(mutex_);
  return size_;
}

void Tracker::publish(const std::string& topic, const Entry& entry, bool joined) {
  // A diff that cannot reach the other nodes is dropped as a channel's broadcast is; the
  // cluster part repairs what a node missed (README, "Presence").
  (void)pubsub_.publish(std::make_shared<const pubsub::Broadcast>(topic, "presence_diff", encodeDiff(entry, joined), false));
}

}  // namespace sg::presence
