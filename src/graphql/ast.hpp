#pragma once
// The syntax tree of GraphQL documents (spec §2): executable documents (operations and
// fragments) and the type system subset a schema file uses. A document owns its source
// text; names and most strings are string_views into it, and strings that had escapes
// (or were block strings) are decoded once into `decoded`, which never moves its
// elements. Nodes live in plain vectors, one allocation per list, none per character.
#include "graphql/errors.hpp"

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sg::graphql::ast {

struct ObjectField;

enum class ValueKind : std::uint8_t { Variable, Int, Float, String, Boolean, Null, Enum, List, Object };

struct Value {
  ValueKind kind = ValueKind::Null;
  bool boolean = false;
  Location loc;
  std::string_view text;          // variable name, number as written, decoded string, enum name
  std::vector<Value> list;        // List
  std::vector<ObjectField> fields;  // Object
};

struct ObjectField {
  std::string_view name;
  Location loc;
  Value value;
};

// A type reference: the named type and its wrappers from the outside in, 'N' for non-null
// and 'L' for list: `[Int!]!` is {name "Int", wrappers "NLN"}.
struct TypeRef {
  std::string_view name;
  std::string wrappers;
  Location loc;
};

// A walkable view of a TypeRef (or of one of its inner types).
struct TypeView {
  std::string_view name;
  std::string_view wrappers;

  static TypeView of(const TypeRef& t) { return {t.name, t.wrappers}; }
  bool nonNull() const { return !wrappers.empty() && wrappers.front() == 'N'; }
  bool list() const { return !wrappers.empty() && wrappers.front() == 'L'; }
  bool named() const { return wrappers.empty(); }
  // The type inside the outermost wrapper.
  TypeView inner() const { return {name, wrappers.substr(1)}; }
  TypeView nullable() const { return nonNull() ? inner() : *this; }
  friend bool operator==(const TypeView&, const TypeView&) = default;
};

// `[Int!]!`
std::string toString(TypeView t);

struct Argument {
  std::string_view name;
  Location loc;
  Value value;
};

struct Directive {
  std::string_view name;
  Location loc;
  std::vector<Argument> arguments;
};

struct Selection;

struct SelectionSet {
  Location loc;
  std::vector<Selection> items;
  bool empty() const { return items.empty(); }
};

enum class SelectionKind : std::uint8_t { Field, FragmentSpread, InlineFragment };

// One node for the three kinds of selection; unused members stay empty.
struct Selection {
  SelectionKind kind = SelectionKind::Field;
  Location loc;
  std::string_view alias;           // Field
  std::string_view name;            // Field name or spread fragment name
  std::string_view type_condition;  // InlineFragment (empty: none)
  std::vector<Argument> arguments;  // Field
  std::vector<Directive> directives;
  SelectionSet selection_set;  // Field (maybe empty), InlineFragment

  std::string_view responseKey() const { return alias.empty() ? name : alias; }
};

enum class OperationType : std::uint8_t { Query, Mutation, Subscription };

struct VariableDefinition {
  std::string_view name;
  Location loc;
  TypeRef type;
  std::optional<Value> default_value;
  std::vector<Directive> directives;
};

struct OperationDefinition {
  OperationType operation = OperationType::Query;
  std::string_view name;  // empty: anonymous
  Location loc;
  std::vector<VariableDefinition> variables;
  std::vector<Directive> directives;
  SelectionSet selection_set;
};

struct FragmentDefinition {
  std::string_view name;
  Location loc;
  std::string_view type_condition;
  Location type_condition_loc;
  std::vector<Directive> directives;
  SelectionSet selection_set;
};

// Storage shared by both kinds of document.
struct SourceText {
  std::string source;
  std::deque<std::string> decoded;  // stable addresses: string_views point here
};

struct Document : SourceText {
  std::vector<OperationDefinition> operations;
  std::vector<FragmentDefinition> fragments;
  // First definition of each fragment name (duplicates are a validation error).
  std::unordered_map<std::string_view, const FragmentDefinition*> fragment_index;

  const FragmentDefinition* fragment(std::string_view name) const {
    auto it = fragment_index.find(name);
    return it == fragment_index.end() ? nullptr : it->second;
  }
};

// ---- Type system (SDL) -----------------------------------------------------------------

struct InputValueDefinition {
  std::optional<std::string_view> description;
  std::string_view name;
  Location loc;
  TypeRef type;
  std::optional<Value> default_value;
  std::vector<Directive> directives;
};

struct FieldDefinition {
  std::optional<std::string_view> description;
  std::string_view name;
  Location loc;
  std::vector<InputValueDefinition> arguments;
  TypeRef type;
  std::vector<Directive> directives;
};

struct EnumValueDefinition {
  std::optional<std::string_view> description;
  std::string_view name;
  Location loc;
  std::vector<Directive> directives;
};

enum class TypeKind : std::uint8_t { Scalar, Object, Interface, Union, Enum, InputObject };

struct TypeDefinition {
  TypeKind kind = TypeKind::Scalar;
  std::optional<std::string_view> description;
  std::string_view name;
  Location loc;
  std::vector<std::string_view> interfaces;  // Object, Interface
  std::vector<Directive> directives;
  std::vector<FieldDefinition> fields;               // Object, Interface
  std::vector<std::string_view> members;             // Union
  std::vector<EnumValueDefinition> values;           // Enum
  std::vector<InputValueDefinition> input_fields;    // InputObject
};

struct DirectiveDefinition {
  std::optional<std::string_view> description;
  std::string_view name;
  Location loc;
  std::vector<InputValueDefinition> arguments;
  bool repeatable = false;
  std::vector<std::string_view> locations;
};

struct SchemaDefinition {
  std::optional<std::string_view> description;
  Location loc;
  std::vector<Directive> directives;
  std::vector<std::pair<OperationType, std::string_view>> roots;
};

struct TypeSystemDocument : SourceText {
  std::vector<TypeDefinition> types;
  std::vector<DirectiveDefinition> directives;
  std::optional<SchemaDefinition> schema;
};

}  // namespace sg::graphql::ast
