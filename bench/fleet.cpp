#include "fleet.hpp"

#include <charconv>
#include <optional>

namespace sg::bench {
namespace {

// The send time the publisher put in the payload: `"t":NS`. A string search, not a JSON
// parse: this runs once per delivery, a million times a second at best.
std::optional<std::int64_t> sendTimeNs(std::string_view frame) {
  constexpr std::string_view kField = R"("t":)";
  auto pos = frame.rfind(kField);
  if (pos == std::string_view::npos) return std::nullopt;
  const char* first = frame.data() + pos + kField.size();
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(first, frame.data() + frame.size(), value);
  if (ec != std::errc()) return std::nullopt;
  return value;
}

}  // namespace

Fleet::Fleet(boost::asio::io_context& ioc, std::vector<ClientTarget> targets,
             std::vector<boost::asio::ip::address> sources)
    : ioc_(ioc), targets_(std::move(targets)), sources_(std::move(sources)) {
  if (sources_.empty()) sources_.emplace_back();  // unspecified: the kernel picks
}

void Fleet::open(std::size_t count, std::size_t concurrency, std::string topic) {
  first_topic_ = std::move(topic);
  connect_ = {};
  connect_.requested = count;
  connect_.started = Clock::now();
  clients_.reserve(clients_.size() + count);
  joined_.reserve(joined_.size() + count);
  for (std::size_t i = 0; i < concurrency && i < count; ++i) launchNext();
}

void Fleet::launchNext() {
  if (launched_ >= connect_.requested) return;
  std::size_t id = clients_.size();
  ++launched_;
  auto client = WsClient::make(ioc_, *this, id, targets_[id % targets_.size()]);
  clients_.push_back(client);
  joined_.push_back(0);
  client->start(sources_[id % sources_.size()], first_topic_);
}

void Fleet::finishConnect(WsClient& client, bool ok, const std::string& failure) {
  if (ok) {
    ++connect_.joined;
    joined_[client.id()] = 1;
    connect_.latency.record((Clock::now() - client.startedAt()).count());
  } else {
    ++connect_.failed;
    ++connect_.failures[failure];
  }
  if (!opening()) connect_.finished = Clock::now();
  launchNext();
}

void Fleet::joinFirst(std::size_t count, const std::string& topic) {
  extra_join_ref_ = std::to_string(next_join_ref_++);
  joins_pending_ = 0;
  joins_refused_ = 0;
  for (auto& client : clients_) {
    if (joins_pending_ == count) break;
    if (!joined_[client->id()] || !client->open()) continue;
    client->join(topic, extra_join_ref_);
    ++joins_pending_;
  }
}

void Fleet::subscribeFirst(std::size_t count, const std::string& id, const std::vector<std::string>& queries) {
  subscribes_pending_ = 0;
  subscribes_refused_ = 0;
  std::size_t sent = 0;
  for (auto& client : clients_) {
    if (sent == count || queries.empty()) break;
    if (!joined_[client->id()] || !client->open()) continue;
    client->subscribe(id, queries[sent % queries.size()]);
    ++sent;
  }
  if (targets_.front().protocol == WireProtocol::absinthe) subscribes_pending_ = sent;
}

void Fleet::beginReceive(std::string topic, bool prefix) {
  receive_ = {};
  receive_.topic = std::move(topic);
  receive_prefix_ = prefix;
  heard_.assign(clients_.size(), 0);
  heard_count_ = 0;
}

std::string Fleet::tlsSession() const {
  for (const auto& client : clients_) {
    if (client->open()) return client->tlsSession();
  }
  return {};
}

std::size_t Fleet::openSockets() const {
  std::size_t n = 0;
  for (const auto& client : clients_) n += client->open() ? 1 : 0;
  return n;
}

void Fleet::sendHeartbeats() {
  for (auto& client : clients_) client->sendHeartbeat();
}

void Fleet::abortAll() {
  for (auto& client : clients_) client->abort();
}

void Fleet::onJoinReply(WsClient& client, std::string_view join_ref, bool ok) {
  if (join_ref == "1") {
    if (joined_[client.id()]) return;
    finishConnect(client, ok, ok ? "" : "join: error reply");
    if (!ok) client.abort();
    return;
  }
  if (join_ref != extra_join_ref_ || joins_pending_ == 0) return;
  --joins_pending_;
  if (!ok) ++joins_refused_;
}

void Fleet::onSubscribeReply(WsClient&, bool ok) {
  if (subscribes_pending_ > 0) --subscribes_pending_;
  if (!ok) ++subscribes_refused_;
}

void Fleet::onNext(WsClient& client, std::string_view id, std::string_view frame) {
  if (id != receive_.topic) {
    ++receive_.stray;
    return;
  }
  received(client, frame);
}

void Fleet::onBroadcast(WsClient& client, std::string_view topic, std::string_view frame) {
  bool ours = receive_prefix_ ? topic.starts_with(receive_.topic) : topic == receive_.topic;
  if (!ours) {
    // connect_error and other notices come as broadcasts on "phoenix".
    if (topic == "phoenix") ++server_notices_;
    else ++receive_.stray;
    return;
  }
  received(client, frame);
}

void Fleet::received(WsClient& client, std::string_view frame) {
  if (client.id() < heard_.size() && !heard_[client.id()]) {
    heard_[client.id()] = 1;
    ++heard_count_;
  }
  auto now = Clock::now();
  if (auto sent = sendTimeNs(frame)) receive_.latency.record(now.time_since_epoch().count() - *sent);
  if (receive_.received++ == 0) receive_.first = now;
  receive_.last = now;
}

void Fleet::onClosed(WsClient& client, std::string_view stage, const std::string& why) {
  if (!joined_[client.id()]) return finishConnect(client, false, std::string(stage) + ": " + why);
  ++dropped_after_join_;
  ++drop_reasons_[std::string(stage) + ": " + why];
}

}  // namespace sg::bench
