#pragma once
// sockguard's GraphQL engine (spec October 2021), the one header an application needs.
//
//   auto schema = Schema::fromSdl(sdl).value();            // once, at start
//   Engine engine(schema, Resolvers{}.on("Mutation", "login", login));
//   auto doc = engine.prepare(query_text);                 // parse + validate, reusable
//   if (!doc) respond(errorResponse(doc.error()));         // {"errors": [...]}, no data
//   else engine.execute(*doc, {.operation_name = name, .variables = &vars, .context = &ctx},
//                       [](boost::json::object response) { send(serializeResponse(response)); });
//
// Resolvers are callbacks: a resolver receives the field call and a Completion it calls
// once, at once (synchronous, no allocation) or later (asynchronous: a password hash on a
// pool, a database look-up), on the thread that runs the execution. Fields without a
// resolver read the parent JSON object's property of the field's name. Abstract types are
// resolved by the value's "__typename" property unless a type resolver is given.
//
// Subscriptions: subscriptionRoot() names the root field and its coerced arguments (the
// server maps them to a pub/sub topic); each event is then executed with execute() and
// the event as the root value (ExecuteOptions::root_ref shares it without a copy), once
// per distinct prepared document and variables.
//
// Schema, Engine and prepared documents are immutable once built: share them between
// threads. One execution runs on one thread, the one its completions are called on.
//
// Nothing here does I/O, throws on client input or blocks; hostile documents are bounded
// by Limits (limits.hpp) and answered with errors.
#include "graphql/ast.hpp"
#include "graphql/errors.hpp"
#include "graphql/limits.hpp"
#include "graphql/schema.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/system/result.hpp>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sg::graphql {

// An error a resolver returns: a message and extensions such as {"code": "FORBIDDEN"}.
struct FieldError {
  std::string message;
  boost::json::object extensions;
};
using FieldResult = boost::system::result<boost::json::value, FieldError>;
inline FieldResult fieldError(std::string message, boost::json::object extensions = {}) {
  return {boost::system::in_place_error, FieldError{std::move(message), std::move(extensions)}};
}

// The response path of a field ("a", 0, "b"), as a chain from the field to the root.
struct ResponsePath {
  const ResponsePath* parent = nullptr;
  std::string_view key;   // when !is_index
  std::size_t index = 0;  // when is_index
  bool is_index = false;

  boost::json::array toJson() const;
};

// What a resolver is told. The references are valid during the resolver call only: an
// asynchronous resolver copies what it needs before it returns.
struct FieldCall {
  const boost::json::value& parent;  // the parent object's value (the root value at the top)
  const boost::json::object& args;   // coerced arguments, in the field's declared order
  void* context;                     // the execution's context (ExecuteOptions::context)
  const ResponsePath& path;
  const ast::Selection& node;  // the (first) field node of the document
  const Field& field;
  const Type& parent_type;
  const Schema& schema;
};

class Completion;
namespace detail {
class Completer;
Completion makeCompletion(Completer* target, std::size_t index);
}  // namespace detail

// Called exactly once with the field's value or error. Dropping it uncalled completes the
// field with an error, so a resolver that forgets cannot hang an execution.
class Completion {
 public:
  Completion(Completion&& other) noexcept : target_(other.target_), index_(other.index_) { other.target_ = nullptr; }
  Completion& operator=(Completion&&) = delete;
  ~Completion();
  void operator()(FieldResult result);

 private:
  friend Completion detail::makeCompletion(detail::Completer*, std::size_t);
  Completion(detail::Completer* target, std::size_t index) : target_(target), index_(index) {}
  detail::Completer* target_;
  std::size_t index_;
};

using Resolver = std::function<void(const FieldCall& call, Completion done)>;
// The object type of a value of an abstract type; nullptr when it cannot tell.
using TypeResolver = std::function<const Type*(const Schema&, const Type& abstract, const boost::json::value& value)>;

class Resolvers {
 public:
  Resolvers& on(std::string type_name, std::string field_name, Resolver resolver) {
    fields_.push_back({std::move(type_name), std::move(field_name), std::move(resolver)});
    return *this;
  }
  Resolvers& resolveType(TypeResolver resolver) {
    type_resolver_ = std::move(resolver);
    return *this;
  }

 private:
  friend class Engine;
  struct Entry {
    std::string type_name, field_name;
    Resolver resolver;
  };
  std::vector<Entry> fields_;
  TypeResolver type_resolver_;
};

// A parsed and validated document, executable any number of times.
struct PreparedDocument {
  std::unique_ptr<ast::Document> document;
  std::shared_ptr<const Schema> schema;
};
using PreparedPtr = std::shared_ptr<const PreparedDocument>;

struct ExecuteOptions {
  std::string_view operation_name;                // empty: the document's only operation
  const boost::json::object* variables = nullptr;  // as the client sent them (null: none)
  boost::json::value root;                        // the root value (a subscription's event)
  void* context = nullptr;                        // handed to every resolver
  // A borrowed root value instead of `root` (no copy; it must outlive the execution): one
  // event executed for many subscribers.
  const boost::json::value* root_ref = nullptr;
};

// The root field of a subscription operation, for mapping it to a topic.
struct SubscriptionRoot {
  std::string_view field_name;
  boost::json::object arguments;  // coerced
};

using Done = std::function<void(boost::json::object response)>;

class Engine {
 public:
  // Throws std::invalid_argument when a resolver names a field the schema does not have
  // (a programming error found at start, never on client input).
  Engine(std::shared_ptr<const Schema> schema, Resolvers resolvers = {}, Limits limits = {});
  ~Engine();

  const Schema& schema() const { return *schema_; }
  const Limits& limits() const { return limits_; }

  // Parse + validate (spec §2, §5). Errors: the response's "errors", with no "data".
  boost::system::result<PreparedPtr, Errors> prepare(std::string query) const;

  // Executes one operation (§6); `done` receives {"errors"?, "data"} (or {"errors"} alone
  // when the operation cannot be chosen or the variables do not coerce). `done` may be
  // called before execute() returns (all resolvers synchronous) or later. The prepared
  // document must outlive the execution (hold the PreparedPtr).
  void execute(const PreparedPtr& document, ExecuteOptions options, Done done) const;

  // A subscription operation's root field and its coerced arguments (§6.2.3.1). Errors:
  // not a subscription, unknown operation, variables that do not coerce.
  boost::system::result<SubscriptionRoot, Errors> subscriptionRoot(const PreparedDocument& document,
                                                                   std::string_view operation_name,
                                                                   const boost::json::object* variables) const;

 struct Internals;

 private:
  std::shared_ptr<const Schema> schema_;
  Limits limits_;
  std::unique_ptr<Internals> in_;  // resolvers by field
};

// {"errors": [...]} for a request that failed before execution.
boost::json::object errorResponse(const Errors& errors);
// The response as JSON text, "errors" before "data" (spec §7.1), numbers as JavaScript
// prints them.
std::string serializeResponse(const boost::json::object& response);

}  // namespace sg::graphql
