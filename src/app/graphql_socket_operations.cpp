#include "app/graphql_socket_operations.hpp"

#include "core/encoding.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace sg::app {
namespace json = boost::json;
using protocol::GraphqlOutcome;

namespace {

protocol::GraphqlErrors errorsText(const graphql::Errors& errors) { return {json::serialize(graphql::toJson(errors))}; }

protocol::GraphqlErrors refusalText(std::string_view message, std::string_view code) {
  return {json::serialize(
      json::array{json::object{{"message", message}, {"extensions", json::object{{"code", code}}}}})};
}

// A broadcast's payload as a JSON value: binary payloads as {"base64url": ...}.
json::value payloadOf(const pubsub::Broadcast& message) {
  if (message.binary()) return json::object{{"base64url", base64urlEncode(message.payload())}};
  boost::system::error_code ec;
  auto value = json::parse(message.payload(), ec);
  return ec ? json::value(nullptr) : value;
}

}  // namespace

// Where a subscription listens, and how a broadcast there becomes its root value.
struct GraphqlSocketOperations::Topic {
  std::string name;
  std::string field;    // the subscription's root field
  std::string user_id;  // accountsUserCount: whose count

  json::value rootFor(const pubsub::Broadcast& message) const {
    if (field == "accountsUserCount") {
      auto payload = payloadOf(message);
      json::value count = nullptr;
      if (payload.is_object()) {
        if (const auto* c = payload.get_object().if_contains("count")) count = *c;
      }
      return json::object{{field, json::object{{"userId", user_id}, {"count", count}}}};
    }
    return json::object{
        {field, json::object{{"topic", message.topic()}, {"event", message.event()}, {"payload", payloadOf(message)}}}};
  }
};

class GraphqlSocketOperations::Stream final : public protocol::GraphqlStream {
 public:
  Stream(const graphql::Engine& engine, graphql::PreparedPtr document, protocol::GraphqlRequest request, Topic topic,
         std::string key, std::size_t shards, std::atomic<std::uint64_t>& executions)
      : engine_(engine), document_(std::move(document)), request_(std::move(request)), topic_(std::move(topic)),
        key_(std::move(key)), slots_(shards), executions_(executions) {}

  const std::string& topic() const override { return topic_.name; }
  const std::string& key() const override { return key_; }

  std::shared_ptr<const std::string> resultFor(const pubsub::BroadcastPtr& message, std::size_t shard) const override {
    auto& slot = slots_.at(shard);
    // The slot keeps the broadcast alive: its address cannot come back as another's.
    if (slot.message == message) return slot.result;
    graphql::ExecuteOptions options;
    options.operation_name = request_.operation_name;
    options.variables = &request_.variables;
    options.root = topic_.rootFor(*message);
    executions_.fetch_add(1, std::memory_order_relaxed);
    std::shared_ptr<const std::string> result;
    // The subscription's fields read the event: nothing here is asynchronous.
    engine_.execute(document_, std::move(options), [&result](json::object response) {
      result = std::make_shared<const std::string>(graphql::serializeResponse(response));
    });
    if (!result) result = std::make_shared<const std::string>(R"({"errors":[{"message":"internal error"}]})");
    slot = Slot{message, result};
    return result;
  }

 private:
  struct Slot {
    pubsub::BroadcastPtr message;
    std::shared_ptr<const std::string> result;
  };
  const graphql::Engine& engine_;
  graphql::PreparedPtr document_;
  protocol::GraphqlRequest request_;
  Topic topic_;
  std::string key_;
  mutable std::vector<Slot> slots_;  // one per shard, each touched by its shard only
  std::atomic<std::uint64_t>& executions_;
};

void GraphqlSocketOperations::run(protocol::GraphqlRequest request, const protocol::GraphqlSocketCaller& caller,
                                  Post post, Done done) {
  auto prepared = service_->engine().prepare(request.query);
  if (!prepared) {
    return post([done = std::move(done), errors = errorsText(prepared.error())] { done(errors); });
  }
  const auto* op = chosenOperation(*(*prepared)->document, request.operation_name);
  if (op && op->operation == graphql::ast::OperationType::Subscription) {
    return subscribe(std::move(*prepared), std::move(request), caller, std::move(post), std::move(done));
  }
  execute(std::move(*prepared), std::move(request), caller, std::move(post), std::move(done));
}

void GraphqlSocketOperations::subscribe(graphql::PreparedPtr document, protocol::GraphqlRequest request,
                                        const protocol::GraphqlSocketCaller& caller, Post post, Done done) {
  auto answer = [&post, &done](boost::system::result<GraphqlOutcome, protocol::GraphqlErrors> outcome) {
    post([done = std::move(done), outcome = std::move(outcome)] { done(outcome); });
  };
  auto root = service_->engine().subscriptionRoot(*document, request.operation_name, &request.variables);
  if (!root) return answer(errorsText(root.error()));
  const Identity& who = caller.identity;
  Topic topic{{}, std::string(root->field_name), {}};
  if (root->field_name == "accountsUserCount") {
    if (who.anonymous()) return answer(refusalText("sign in to see a user's count", "unauthorized"));
    const auto* asked = root->arguments.if_contains("userId");
    topic.user_id = asked && asked->is_string() ? std::string(asked->get_string()) : who.user_id;
    if (topic.user_id != who.user_id) return answer(refusalText("only your own count", "unauthorized"));
    topic.name = "user_count:" + topic.user_id;
  } else {
    const auto* asked = root->arguments.if_contains("topic");
    topic.name = asked && asked->is_string() ? std::string(asked->get_string()) : std::string();
    auto resolved = channels_.resolve(topic.name);
    if (!resolved) return answer(refusalText("no channel matches this topic", "unmatched_topic"));
    if (!resolved->spec->rule(who, resolved->params)) return answer(refusalText("not allowed on this topic", "unauthorized"));
  }
  answer(GraphqlOutcome{{}, streamFor(std::move(document), std::move(request), std::move(topic))});
}

std::shared_ptr<const GraphqlSocketOperations::Stream> GraphqlSocketOperations::streamFor(
    graphql::PreparedPtr document, protocol::GraphqlRequest request, Topic topic) {
  std::string identity;
  identity.append(topic.name).push_back('\0');
  identity.append(request.operation_name).push_back('\0');
  identity.append(request.query).push_back('\0');
  identity.append(json::serialize(request.variables));
  auto key = sha256Hex(identity).substr(0, 24);
  std::lock_guard lock(mutex_);
  if (auto live = streams_[key].lock()) return live;
  // Forget streams nobody listens to any more, now and then (amortised over inserts).
  if (streams_.size() > 64 && streams_.size() % 64 == 0) {
    std::erase_if(streams_, [](const auto& entry) { return entry.second.expired(); });
  }
  auto stream = std::make_shared<const Stream>(service_->engine(), std::move(document), std::move(request),
                                               std::move(topic), key, shards_, executions_);
  streams_[key] = stream;
  return stream;
}

std::size_t GraphqlSocketOperations::liveStreams() const {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(
      std::count_if(streams_.begin(), streams_.end(), [](const auto& entry) { return !entry.second.expired(); }));
}

void GraphqlSocketOperations::execute(graphql::PreparedPtr document, protocol::GraphqlRequest request,
                                      const protocol::GraphqlSocketCaller& caller, Post post, Done done) {
  struct Execution {
    GraphqlCaller caller;
    graphql::PreparedPtr document;
    protocol::GraphqlRequest request;
  };
  auto run = std::make_shared<Execution>();
  run->caller.account.ip = caller.client_ip;
  run->caller.origin = caller.origin;
  run->caller.socket_url = caller.socket_url;
  run->caller.identity = caller.identity;
  run->caller.post = post;
  run->document = std::move(document);
  run->request = std::move(request);
  graphql::ExecuteOptions options;
  options.operation_name = run->request.operation_name;
  options.variables = &run->request.variables;
  options.context = &run->caller;
  // Resolvers come back through `post` (the connection's shard); so does the answer.
  service_->engine().execute(run->document, std::move(options),
                             [run, post, done = std::move(done)](json::object response) mutable {
                               // No "data": the request failed before execution (variables):
                               // an error, not a result.
                               if (!response.contains("data")) {
                                 return post([done = std::move(done), errors = json::serialize(response["errors"])] {
                                   done(protocol::GraphqlErrors{errors});
                                 });
                               }
                               post([done = std::move(done), text = graphql::serializeResponse(response)] {
                                 done(GraphqlOutcome{text, nullptr});
                               });
                             });
}

}  // namespace sg::app
