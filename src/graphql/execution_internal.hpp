#pragma once
// What execution shares with validation and the subscription helpers: field collection
// (spec §6.3.2) and operation selection (§6.1). Internal to src/graphql/.
#include "graphql/graphql.hpp"

#include <unordered_map>
#include <vector>

namespace sg::graphql {

// The fields of one response key, in document order.
struct FieldGroup {
  std::string_view key;
  std::vector<const ast::Selection*> nodes;
};

// Response keys in the order they first appear (the result's key order).
struct FieldGroups {
  std::vector<FieldGroup> groups;
  std::unordered_map<std::string_view, std::size_t> index;  // only once there are many keys

  void add(std::string_view key, const ast::Selection* node);
};

FieldGroups collectFields(const Schema& schema, const ast::Document& doc, const Type& object,
                          const std::vector<const ast::SelectionSet*>& sets, const boost::json::object& variables);

const ast::OperationDefinition* selectOperation(const ast::Document& doc, std::string_view name, Errors& errors);

struct Engine::Internals {
  std::unordered_map<const Field*, Resolver> resolvers;
  TypeResolver type_resolver;
};


}  // namespace sg::graphql
