#pragma once
// The definitions every schema has: the five built-in scalars, the directives the
// specification defines (plus graphql-js's @oneOf, so introspection lists the same
// directives), and the introspection types (spec §4.5), written as SDL and parsed with
// the rest. Field order follows graphql-js, whose order introspection results keep.
#include <string_view>

namespace sg::graphql {

inline constexpr std::string_view kBuiltinSdl = R"GQL(
"A signed 32-bit integer."
scalar Int
"A double-precision floating-point number (IEEE 754)."
scalar Float
"A sequence of Unicode characters, as UTF-8."
scalar String
"true or false."
scalar Boolean
"A unique identifier, written as a string; integers are accepted as input."
scalar ID

"Includes this field or fragment only when `if` is true."
directive @include("Included when true." if: Boolean!) on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT
"Skips this field or fragment when `if` is true."
directive @skip("Skipped when true." if: Boolean!) on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT
"Marks an element of the schema as no longer supported."
directive @deprecated(
  "Why it is deprecated and what to use instead, in Markdown."
  reason: String = "No longer supported"
) on FIELD_DEFINITION | ARGUMENT_DEFINITION | INPUT_FIELD_DEFINITION | ENUM_VALUE | DIRECTIVE_DEFINITION
"Links a custom scalar to the specification of its behaviour."
directive @specifiedBy("The URL of the specification." url: String!) on SCALAR
"An input object of which exactly one field must be given."
directive @oneOf on INPUT_OBJECT

"The schema: its types, its directives and the roots of its operations."
type __Schema {
  description: String
  "Every named type of the schema."
  types: [__Type!]!
  "The root type of queries."
  queryType: __Type!
  "The root type of mutations, if the schema has mutations."
  mutationType: __Type
  "The root type of subscriptions, if the schema has subscriptions."
  subscriptionType: __Type
  "The directives the schema knows."
  directives(includeDeprecated: Boolean! = false): [__Directive!]!
}

"A type of the schema: named (scalar, object, interface, union, enum, input object) or a list or non-null wrapper of another type."
type __Type {
  kind: __TypeKind!
  name: String
  description: String
  specifiedByURL: String
  fields(includeDeprecated: Boolean = false): [__Field!]
  interfaces: [__Type!]
  possibleTypes: [__Type!]
  enumValues(includeDeprecated: Boolean = false): [__EnumValue!]
  inputFields(includeDeprecated: Boolean = false): [__InputValue!]
  ofType: __Type
  isOneOf: Boolean
}

"The kinds of __Type."
enum __TypeKind {
  "A leaf value."
  SCALAR
  "An object with fields."
  OBJECT
  "A set of fields that object types implement."
  INTERFACE
  "One of several object types."
  UNION
  "One of a set of named values."
  ENUM
  "A set of named input values."
  INPUT_OBJECT
  "A list of another type."
  LIST
  "Another type that is never null."
  NON_NULL
}

"A field of an object or interface type."
type __Field {
  name: String!
  description: String
  args(includeDeprecated: Boolean = false): [__InputValue!]!
  type: __Type!
  isDeprecated: Boolean!
  deprecationReason: String
}

"An argument, or a field of an input object, with its type and default value."
type __InputValue {
  name: String!
  description: String
  type: __Type!
  "The default value as a GraphQL literal."
  defaultValue: String
  isDeprecated: Boolean!
  deprecationReason: String
}

"A value of an enum type."
type __EnumValue {
  name: String!
  description: String
  isDeprecated: Boolean!
  deprecationReason: String
}

"A directive: where it may appear and the arguments it takes."
type __Directive {
  name: String!
  description: String
  isRepeatable: Boolean!
  locations: [__DirectiveLocation!]!
  args(includeDeprecated: Boolean = false): [__InputValue!]!
  isDeprecated: Boolean!
  deprecationReason: String
}

"Where a directive may appear."
enum __DirectiveLocation {
  QUERY
  MUTATION
  SUBSCRIPTION
  FIELD
  FRAGMENT_DEFINITION
  FRAGMENT_SPREAD
  INLINE_FRAGMENT
  VARIABLE_DEFINITION
  SCHEMA
  SCALAR
  OBJECT
  FIELD_DEFINITION
  ARGUMENT_DEFINITION
  INTERFACE
  UNION
  ENUM
  ENUM_VALUE
  INPUT_OBJECT
  INPUT_FIELD_DEFINITION
  DIRECTIVE_DEFINITION
}

type __Meta {
  "The schema (introspection)."
  __schema: __Schema!
  "The type of that name, if any (introspection)."
  __type(name: String!): __Type
  "The name of the object type of this value."
  __typename: String!
}
)GQL";

}  // namespace sg::graphql
