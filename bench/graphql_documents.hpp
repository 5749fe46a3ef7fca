#pragma once
// The GraphQL documents the bench measures, shared by the load generator (over HTTP and
// WebSocket) and the engine's micro-benchmark, so both time the same text.
#include <string>
#include <string_view>
#include <vector>

namespace sg::bench {

// The signed-in account: one field, resolved by a session look-up on the server.
inline constexpr std::string_view kAccountsMeQuery = "{ accountsMe { id email } }";

// The full schema as an IDE asks for it on start (GraphiQL's introspection: every type
// with its fields, arguments, input fields, interfaces, enum values and possible types,
// type references seven levels deep, and the directives). Written for this bench.
inline constexpr std::string_view kIntrospectionQuery = R"graphql(query IntrospectionQuery {
  __schema {
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types { ...FullType }
    directives {
      name
      description
      locations
      args { ...InputValue }
    }
  }
}

fragment FullType on __Type {
  kind
  name
  description
  fields(includeDeprecated: true) {
    name
    description
    args { ...InputValue }
    type { ...TypeRef }
    isDeprecated
    deprecationReason
  }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) {
    name
    description
    isDeprecated
    deprecationReason
  }
  possibleTypes { ...TypeRef }
}

fragment InputValue on __InputValue {
  name
  description
  type { ...TypeRef }
  defaultValue
}

fragment TypeRef on __Type {
  kind
  name
  ofType {
    kind
    name
    ofType {
      kind
      name
      ofType {
        kind
        name
        ofType {
          kind
          name
          ofType {
            kind
            name
            ofType {
              kind
              name
              ofType { kind name }
            }
          }
        }
      }
    }
  }
})graphql";

// `count` (1..5) different selections of the channel subscription on `topic`: the server
// executes each broadcast once per distinct document (and shard), so a fan-out with several
// selections exercises that path. Every selection keeps `payload`, where the send time is.
inline std::vector<std::string> channelSelections(std::string_view topic, std::size_t count) {
  static constexpr std::string_view kFields[] = {
      "event payload", "payload", "topic payload", "payload event topic", "p: payload",
  };
  std::vector<std::string> out;
  for (std::size_t i = 0; i < count && i < std::size(kFields); ++i) {
    out.push_back("subscription { channel(topic: \"" + std::string(topic) + "\") { " + std::string(kFields[i]) +
                  " } }");
  }
  return out;
}

}  // namespace sg::bench
