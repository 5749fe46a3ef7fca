#pragma once
// A small schema the GraphQL unit tests share: interfaces, a union, an enum, an input
// object with defaults, lists, non-null fields, a mutation and a subscription.
#include "graphql/schema.hpp"

#include <memory>

namespace sg::graphql::testing {

inline constexpr const char* kTestSdl = R"(
scalar JSON
interface Node { id: ID! }
interface Named { name: String }
enum Color { RED GREEN BLUE @deprecated }
type Dog implements Node & Named { id: ID! name: String barks: Boolean! color: Color owner: Person friends: [Named] nickname(upper: Boolean = false): String }
type Cat implements Node & Named { id: ID! name: String lives: Int meows: Boolean! }
type Person implements Node { id: ID! email: String! }
union Pet = Dog | Cat
input Filter { color: Color minLives: Int = 1 name: String! = "x" tags: [String!] inner: Filter }
type Query {
  dog: Dog
  pets(filter: Filter, first: Int = 10): [Pet!]!
  node(id: ID!): Node
  echo(s: String, i: Int, f: Float, b: Boolean, c: Color, l: [Int], j: JSON, filter: Filter, req: String!): String
  numbers: [Int!]!
  slow: String
  failing: String
  failingNonNull: String!
}
type Mutation { step(by: Int! = 1): Int! }
type Subscription { counter(room: String!): Int  other: Int }
)";

inline std::shared_ptr<const Schema> testSchema() {
  static auto schema = Schema::fromSdl(kTestSdl).value();
  return schema;
}

}  // namespace sg::graphql::testing
