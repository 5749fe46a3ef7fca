// The GraphQL parser, validator and executor on any document a client can send: nothing
// throws or crashes, every error has a message, and a document that validates executes
// to a response with "data" (the default resolvers read a fixed root value). The same
// bytes are also read as SDL, which must build a schema or answer errors.
#include "fuzz_support.hpp"
#include "graphql/graphql.hpp"
#include "graphql/parser.hpp"
#include "graphql/validation.hpp"

#include <boost/json/parse.hpp>

namespace {

using namespace sg::graphql;

constexpr const char* kSdl = R"(
scalar JSON
interface Node { id: ID! }
interface Named { name: String }
enum Color { RED GREEN BLUE @deprecated }
type Dog implements Node & Named { id: ID! name: String barks: Boolean! color: Color friends: [Named] nickname(upper: Boolean = false): String }
type Cat implements Node & Named { id: ID! name: String lives: Int }
union Pet = Dog | Cat
input Filter { color: Color minLives: Int = 1 tags: [String!] inner: Filter }
type Query { dog: Dog pets(filter: Filter, first: Int = 10): [Pet!]! node(id: ID!): Node
             echo(s: String, i: Int, f: Float, l: [Int], j: JSON, filter: Filter, req: String! = "d"): String numbers: [Int!]! }
type Mutation { step(by: Int! = 1): Int! }
type Subscription { counter(room: String!): Int }
)";

const Engine& engine() {
  static const Engine e(Schema::fromSdl(kSdl).value());
  return e;
}

const boost::json::value& root() {
  static const boost::json::value v = boost::json::parse(R"({
    "dog": {"__typename": "Dog", "id": "d1", "name": "Rex", "barks": true, "color": "RED",
            "friends": [{"__typename": "Cat", "id": "c1", "name": "Tom", "lives": 9}, null, {"name": "x"}]},
    "pets": [{"__typename": "Cat", "id": "c1"}, {"__typename": "Dog", "id": "d1", "barks": 1}],
    "node": {"__typename": "Dog", "id": "d1"}, "numbers": [1, 2.5, "3"], "step": 1, "counter": 7})");
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(sg::fuzz::view(data, size));
  auto prepared = engine().prepare(text);
  if (!prepared) {
    FUZZ_CHECK(!prepared.error().empty());
    for (const auto& e : prepared.error()) FUZZ_CHECK(!e.message.empty());
  } else {
    const auto& doc = *(*prepared)->document;
    // Every operation of a valid document runs to completion, synchronously here.
    for (const auto& op : doc.operations) {
      if (op.variables.size() > 0) continue;  // required variables would be missing
      bool finished = false;
      ExecuteOptions options;
      options.operation_name = doc.operations.size() > 1 ? op.name : std::string_view();
      options.root = root();
      engine().execute(*prepared, std::move(options), [&](boost::json::object response) {
        finished = true;
        FUZZ_CHECK(response.contains("data") || response.contains("errors"));
        (void)serializeResponse(response);
      });
      FUZZ_CHECK(finished);
    }
  }
  auto sdl = Schema::fromSdl(text);
  if (!sdl) FUZZ_CHECK(!sdl.error().empty());
  return 0;
}
