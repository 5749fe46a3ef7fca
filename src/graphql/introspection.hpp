#pragma once
// Introspection (spec §4): the meta fields __schema and __type(name) on the query root,
// and the fields of the __Schema, __Type, __Field, __InputValue, __EnumValue and
// __Directive types. Values are JSON: a __Type is a small marker object naming the type
// (and its wrappers), resolved field by field here; the other introspection objects are
// plain JSON objects the default resolver reads.
#include "graphql/graphql.hpp"

namespace sg::graphql::introspection {

inline bool isIntrospectionType(const Type& t) { return t.name.size() > 1 && t.name[0] == '_' && t.name[1] == '_'; }

// The value of `__schema` and of `__type(name)` (null when there is no such type).
boost::json::value schemaValue();
boost::json::value typeValue(const Schema& schema, std::string_view name);

// A field of an introspection type.
FieldResult resolve(const Schema& schema, const Type& parent_type, const Field& field,
                    const boost::json::value& parent, const boost::json::object& args);

}  // namespace sg::graphql::introspection
