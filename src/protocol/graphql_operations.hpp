#pragma once
// What the GraphQL socket protocols (graphql-transport-ws, Absinthe over Phoenix) ask of
// the application's GraphQL API: run a document for a connection. A query or mutation
// answers its result; a subscription answers a stream: the pub/sub topic it listens to
// and how a broadcast there becomes a result. Streams of the same document, variables and
// topic are one object, so a broadcast is executed once per distinct subscription and
// shard, however many sockets share it (GraphqlStream::resultFor).
#include "core/identity.hpp"
#include "pubsub/broadcast.hpp"

#include <boost/json/object.hpp>
#include <boost/system/result.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace sg::protocol {

struct GraphqlRequest {
  std::string query;
  boost::json::object variables;
  std::string operation_name;
};

// Who runs a document over a socket.
struct GraphqlSocketCaller {
  const Identity& identity;  // the connection's (anonymous when it has none)
  std::string client_ip;
  std::string origin;  // "" when the upgrade had none
  std::string socket_url;
};

class GraphqlStream {
 public:
  virtual ~GraphqlStream() = default;
  virtual const std::string& topic() const = 0;
  // A short stable name of the stream (document, variables, topic): Absinthe's
  // subscription id is built from it.
  virtual const std::string& key() const = 0;
  // The result ({"data": ...} or {"errors": [...], "data": ...}) of `message` as JSON
  // text. Call on shard `shard` only: the first caller on a shard executes the document,
  // later ones for the same broadcast get the same text.
  virtual std::shared_ptr<const std::string> resultFor(const pubsub::BroadcastPtr& message, std::size_t shard) const = 0;
};

// GraphQL errors (a JSON array, as text) of a document that could not run: syntax,
// validation, variables, a subscription the caller may not have.
struct GraphqlErrors {
  std::string json;
};

// One of: a query's or mutation's result (JSON text), or a subscription's stream.
struct GraphqlOutcome {
  std::string result;
  std::shared_ptr<const GraphqlStream> stream;
};

class GraphqlOperations {
 public:
  using Post = std::function<void(std::function<void()>)>;
  using Done = std::function<void(boost::system::result<GraphqlOutcome, GraphqlErrors>)>;

  virtual ~GraphqlOperations() = default;
  // `done` runs through `post` (on the connection's shard), never before run() returns.
  virtual void run(GraphqlRequest request, const GraphqlSocketCaller& caller, Post post, Done done) = 0;
};

}  // namespace sg::protocol
