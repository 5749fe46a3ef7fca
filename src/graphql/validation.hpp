#pragma once
// Validation of an executable document against a schema: every rule of spec §5, plus the
// cost bounds of Limits (fragment expansion, field-merging comparisons). Returns the
// errors found (empty: valid), each with a message and the locations it is about.
#include "graphql/ast.hpp"
#include "graphql/limits.hpp"
#include "graphql/schema.hpp"

namespace sg::graphql {

Errors validate(const Schema& schema, const ast::Document& document, const Limits& limits = {});

}  // namespace sg::graphql
