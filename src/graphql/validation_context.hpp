#pragma once
// What the validation rules share (internal to src/graphql/): the error list, and what the
// typed walk of each definition learns for the document-level rules: the fragments it
// spreads and the variables it uses, with the type each position expects.
#include "graphql/validation.hpp"

#include <string>
#include <unordered_map>
#include <vector>

namespace sg::graphql::validation {

struct VariableUsage {
  std::string_view name;
  Location loc;
  std::optional<TypeView> expected;  // unknown inside custom scalars and unknown arguments
  bool location_has_default = false;
};

// One operation or fragment definition.
struct DefinitionInfo {
  std::vector<std::string_view> spreads;  // fragment names, with repeats
  std::vector<VariableUsage> usages;
};

struct Context {
  const Schema& schema;
  const ast::Document& doc;
  const Limits& limits;
  Errors errors;

  bool full() const { return errors.size() >= limits.max_validation_errors; }
  void report(std::string message, std::vector<Location> locations) {
    if (!full()) errors.push_back(Error{std::move(message), std::move(locations), {}, {}});
  }
};

// The typed walk (validate_fields.cpp): fields, arguments, directives, fragments' types,
// values; fills `info` for the definition walked.
void walkOperation(Context& cx, const ast::OperationDefinition& op, DefinitionInfo& info);
void walkFragment(Context& cx, const ast::FragmentDefinition& fragment, DefinitionInfo& info);

// Field selection merging (validate_overlap.cpp), bounded by Limits::max_overlap_comparisons.
void checkOverlappingFields(Context& cx);

// Whether a variable of type `sub` may be used where `super` is expected (input types).
bool isInputSubType(TypeView sub, TypeView super);

}  // namespace sg::graphql::validation
