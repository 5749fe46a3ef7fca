#include "app/absinthe_channel.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <vector>

namespace sg::app {
namespace json = boost::json;
using channels::Reply;

namespace {

constexpr std::string_view kIdPrefix = "__absinthe__:doc:";

Reply errorWith(json::object response) {
  Reply reply = Reply::error({});
  reply.response = std::move(response);
  return reply;
}

// GraphQL errors as an error reply, as absinthe_phoenix answers a document that cannot run.
Reply errorsReply(std::string_view errors_json) {
  boost::system::error_code ec;
  auto errors = json::parse(errors_json, ec);
  if (ec) errors = json::array{json::object{{"message", "internal error"}}};
  return errorWith(json::object{{"errors", std::move(errors)}});
}

Reply errorsReply(std::string_view message, std::string_view code) {
  return errorWith(json::object{
      {"errors", json::array{json::object{{"message", message}, {"extensions", json::object{{"code", code}}}}}}});
}

}  // namespace

// A subscription's results as Absinthe messages: per shard, the last broadcast seen and
// the subscription:data message made of it, which every socket relaying this stream on
// that shard sends (and so encodes once per wire format: the frame cache of a broadcast).
class AbsintheChannel::Feed {
 public:
  Feed(std::shared_ptr<const protocol::GraphqlStream> stream, std::size_t shards)
      : stream_(std::move(stream)), id_(std::string(kIdPrefix) + stream_->key()), slots_(shards) {
    prefix_ = R"({"subscriptionId":)" + json::serialize(json::string(id_)) + R"(,"result":)";
  }

  const std::string& id() const { return id_; }
  const std::shared_ptr<const protocol::GraphqlStream>& stream() const { return stream_; }

  // Call on shard `shard` only.
  pubsub::BroadcastPtr relayed(const pubsub::BroadcastPtr& message, std::size_t shard) const {
    auto& slot = slots_.at(shard);
    // The slot keeps the broadcast alive: its address cannot come back as another's.
    if (slot.source == message) return slot.relayed;
    auto result = stream_->resultFor(message, shard);
    std::string payload;
    payload.reserve(prefix_.size() + result->size() + 1);
    payload.append(prefix_).append(*result).push_back('}');
    auto relayed = std::make_shared<const pubsub::Broadcast>(id_, std::string(kDataEvent), std::move(payload), false);
    slot = Slot{message, std::move(relayed)};
    return slot.relayed;
  }

 private:
  struct Slot {
    pubsub::BroadcastPtr source;
    pubsub::BroadcastPtr relayed;
  };
  std::shared_ptr<const protocol::GraphqlStream> stream_;
  std::string id_;
  std::string prefix_;               // {"subscriptionId":"<id>","result":
  mutable std::vector<Slot> slots_;  // one per shard, each touched by its shard only
};

Reply AbsintheChannel::onEvent(channels::ChannelContext& ctx, const channels::InboundEvent& in) {
  if (in.binary_payload) return Reply::error("unknown event");
  if (in.event == "doc") return doc(ctx, in.payload);
  if (in.event == "unsubscribe") return unsubscribe(ctx, in.payload);
  return Reply::error("unknown event");
}

Reply AbsintheChannel::doc(channels::ChannelContext& ctx, const json::value& payload) {
  const auto* body = payload.if_object();
  if (!body) return errorsReply("doc expects an object {query, variables, operationName}", "bad_request");
  protocol::GraphqlRequest request;
  if (const auto* query = body->if_contains("query"); query && !query->is_null()) {
    if (!query->is_string()) return errorsReply("query must be a string", "bad_request");
    request.query = std::string(query->get_string());
  }
  // As absinthe_phoenix: absent or null variables are none; anything but a map is refused.
  if (const auto* variables = body->if_contains("variables"); variables && !variables->is_null()) {
    if (!variables->is_object()) return errorWith(json::object{{"error", "Could not parse variables as map"}});
    request.variables = variables->get_object();
  }
  if (const auto* name = body->if_contains("operationName"); name && name->is_string()) {
    request.operation_name = std::string(name->get_string());
  }
  const channels::Peer& peer = ctx.peer();
  protocol::GraphqlSocketCaller caller{ctx.identity(), peer.client_ip, peer.origin, peer.socket_url};
  // The outcome comes back on the socket's shard (or never, if the socket has gone).
  operations_.run(std::move(request), caller, ctx.poster(),
                  [this, pending = ctx.deferReply()](auto outcome) mutable {
                    pending.send(answer(std::move(outcome)));
                  });
  return Reply::later();
}

Reply AbsintheChannel::answer(boost::system::result<protocol::GraphqlOutcome, protocol::GraphqlErrors> outcome) {
  if (!outcome) return errorsReply(outcome.error().json);
  if (!outcome->stream) {
    // The result's JSON text, as graphql-transport-ws sends it: not parsed back.
    return Reply::okWithJson(std::move(outcome->result));
  }
  auto feed = feedFor(outcome->stream);
  Reply reply = Reply::okWith(json::object{{"subscriptionId", feed->id()}});
  reply.relay = std::make_shared<const channels::Relay>(channels::Relay{
      feed->id(), feed->stream()->topic(),
      [feed](const pubsub::BroadcastPtr& message, std::size_t shard) { return feed->relayed(message, shard); }});
  return reply;
}

std::shared_ptr<const AbsintheChannel::Feed> AbsintheChannel::feedFor(
    const std::shared_ptr<const protocol::GraphqlStream>& stream) {
  std::lock_guard lock(mutex_);
  auto& entry = feeds_[stream->key()];
  if (auto live = entry.lock(); live && live->stream() == stream) return live;
  // Forget feeds nobody relays any more, now and then (amortised over inserts).
  if (feeds_.size() > 64 && feeds_.size() % 64 == 0) {
    std::erase_if(feeds_, [](const auto& e) { return e.second.expired(); });
  }
  auto feed = std::make_shared<const Feed>(stream, shards_);
  feeds_[stream->key()] = feed;
  return feed;
}

Reply AbsintheChannel::unsubscribe(channels::ChannelContext& ctx, const json::value& payload) {
  const auto* body = payload.if_object();
  const auto* id = body ? body->if_contains("subscriptionId") : nullptr;
  if (!id || !id->is_string()) return Reply::error("subscriptionId missing");
  // Unknown ids are answered ok too, as absinthe_phoenix does: the subscription is gone.
  ctx.stopRelay(id->get_string());
  return Reply::okWith(json::object{{"subscriptionId", *id}});
}

}  // namespace sg::app
