#pragma once
// Recursive-descent parsers for executable documents (spec §2.2-2.12) and for the type
// system subset of a schema file (§3). A syntax error or a broken limit is one Error with
// its location; nothing throws and recursion depth is bounded by Limits::max_depth.
#include "graphql/ast.hpp"
#include "graphql/limits.hpp"

#include <boost/system/result.hpp>

#include <memory>
#include <string>

namespace sg::graphql {

boost::system::result<std::unique_ptr<ast::Document>, Error> parseExecutable(std::string source,
                                                                             const Limits& limits = {});

boost::system::result<std::unique_ptr<ast::TypeSystemDocument>, Error> parseTypeSystem(
    std::string source, const Limits& limits = kSchemaLimits);

}  // namespace sg::graphql
