#pragma once
// A GraphQL schema built from SDL text (spec §3): the document's types and directives plus
// the built-in scalars (Int, Float, String, Boolean, ID), directives (@include, @skip,
// @deprecated, @specifiedBy, and graphql-js's @oneOf) and the introspection types. Custom
// scalars accept and produce any JSON value. Immutable once built; share it freely.
#include "graphql/ast.hpp"

#include <boost/json/value.hpp>
#include <boost/system/result.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sg::graphql {

using ast::OperationType;
using ast::TypeKind;
using ast::TypeView;

struct InputValue {
  std::string_view name;
  std::optional<std::string_view> description;
  TypeView type;
  const struct Type* named = nullptr;  // the named type inside `type`
  // Coerced (input objects with their defaults applied); absent: no default.
  std::optional<boost::json::value> default_value;
  std::optional<std::string_view> deprecation_reason;
};

struct Field {
  std::string_view name;
  std::optional<std::string_view> description;
  std::vector<InputValue> args;
  TypeView type;
  std::optional<std::string_view> deprecation_reason;
  const struct Type* named = nullptr;  // the named type inside `type`

  const InputValue* arg(std::string_view n) const;
};

struct EnumValue {
  std::string_view name;
  std::optional<std::string_view> description;
  std::optional<std::string_view> deprecation_reason;
};

struct Type {
  TypeKind kind = TypeKind::Scalar;
  std::string_view name;
  std::optional<std::string_view> description;
  std::vector<Field> fields;                  // Object, Interface
  std::vector<const Type*> interfaces;        // Object, Interface
  std::vector<const Type*> possible_types;    // Union members; an interface's implementations
  std::vector<EnumValue> enum_values;         // Enum
  std::vector<InputValue> input_fields;       // InputObject
  std::optional<std::string_view> specified_by_url;  // Scalar
  bool one_of = false;                        // InputObject with @oneOf
  bool builtin = false;                       // Int, Float, String, Boolean, ID

  const Field* field(std::string_view n) const;
  const EnumValue* enumValue(std::string_view n) const;
  const InputValue* inputField(std::string_view n) const;
  bool isComposite() const { return kind == TypeKind::Object || kind == TypeKind::Interface || kind == TypeKind::Union; }
  bool isAbstract() const { return kind == TypeKind::Interface || kind == TypeKind::Union; }
  bool isLeaf() const { return kind == TypeKind::Scalar || kind == TypeKind::Enum; }
  bool isInput() const { return isLeaf() || kind == TypeKind::InputObject; }
  bool isOutput() const { return kind != TypeKind::InputObject; }
};

// Directive locations (spec §3.13), as a bit set.
enum DirectiveLocation : std::uint32_t {
  kQuery = 1u << 0, kMutation = 1u << 1, kSubscription = 1u << 2, kField = 1u << 3,
  kFragmentDefinition = 1u << 4, kFragmentSpread = 1u << 5, kInlineFragment = 1u << 6,
  kVariableDefinition = 1u << 7, kSchema = 1u << 8, kScalar = 1u << 9, kObject = 1u << 10,
  kFieldDefinition = 1u << 11, kArgumentDefinition = 1u << 12, kInterface = 1u << 13, kUnion = 1u << 14,
  kEnum = 1u << 15, kEnumValue = 1u << 16, kInputObject = 1u << 17, kInputFieldDefinition = 1u << 18, kDirectiveDefinition = 1u << 19,
};
std::optional<DirectiveLocation> directiveLocation(std::string_view name);

struct DirectiveDef {
  std::string_view name;
  std::optional<std::string_view> description;
  std::vector<InputValue> args;
  std::vector<std::string_view> locations;  // as written, for introspection
  std::uint32_t location_mask = 0;
  bool repeatable = false;

  const InputValue* arg(std::string_view n) const;
};

class Schema {
 public:
  // Errors: SDL syntax, unknown or misplaced types, no Query type, bad defaults.
  static boost::system::result<std::shared_ptr<const Schema>, Errors> fromSdl(std::string sdl);

  const Type* type(std::string_view name) const;
  std::optional<std::string_view> description() const { return description_; }
  const Type* rootType(OperationType op) const { return roots_[static_cast<int>(op)]; }
  // All named types in graphql-js's order (the document's, built-ins where first used,
  // then the introspection types), so introspection answers match it.
  const std::vector<const Type*>& types() const { return ordered_; }
  const std::vector<DirectiveDef>& directives() const { return directives_; }
  const DirectiveDef* directive(std::string_view name) const;
  // Whether `object` is a possible type of the abstract type `abstract` (or is it).
  bool isPossibleType(const Type& abstract, const Type& object) const;
  // Whether a value of `sub` may be used where `super` is expected (covariance, §3.6.1).
  bool isSubType(const Type& super, const Type& sub) const;
  // Whether output type `sub` may stand where `super` is declared (§3.6.2 IsValidImplementationFieldType).
  bool isValidImplementationType(TypeView sub, TypeView super) const;
  // Whether two composite types have an object type in common.
  bool overlap(const Type& a, const Type& b) const;

  // The built-in introspection types (always present).
  const Type& schemaType() const { return *intro_schema_; }
  const Type& typeType() const { return *intro_type_; }
  // The meta fields __schema, __type(name) and __typename.
  const Field& schemaField() const { return meta_fields_[0]; }
  const Field& typeField() const { return meta_fields_[1]; }
  const Field& typenameField() const { return meta_fields_[2]; }

 private:
  Schema() = default;
  boost::system::result<void, Errors> build(std::string sdl);

  std::vector<std::unique_ptr<ast::TypeSystemDocument>> docs_;  // the strings we point into
  std::vector<std::unique_ptr<Type>> storage_;
  std::unordered_map<std::string_view, Type*> index_;
  std::vector<const Type*> ordered_;
  std::vector<DirectiveDef> directives_;
  const Type* roots_[3] = {nullptr, nullptr, nullptr};
  std::optional<std::string_view> description_;
  const Type* intro_schema_ = nullptr;
  const Type* intro_type_ = nullptr;
  std::vector<Field> meta_fields_;
};

}  // namespace sg::graphql
