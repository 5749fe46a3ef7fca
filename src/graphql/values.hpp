#pragma once
// Values crossing the type system: input coercion of literals and of variable values
// (spec §3.5, §6.4.1), result coercion of leaves (§3.5), and printing a coerced value
// back as a GraphQL literal (introspection's defaultValue). Numbers print as JavaScript
// does (1.0 is "1", 1e21 is "1e+21"), so results agree with graphql-js byte for byte.
#include "graphql/schema.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/system/result.hpp>

#include <optional>
#include <string>

namespace sg::graphql {

// A literal coerced to `type`; nullopt when it is invalid for the type (or names a
// variable missing from `variables` where that is not allowed). `variables` may be null
// (const contexts: defaults in the schema or in variable definitions).
std::optional<boost::json::value> valueFromAst(const Schema& schema, const ast::Value& literal, TypeView type,
                                               const boost::json::object* variables);

// A JSON input value (from the request's variables) coerced to `type`. Errors name the
// offending path inside the value.
boost::system::result<boost::json::value, std::string> coerceInputValue(const Schema& schema,
                                                                        const boost::json::value& input,
                                                                        TypeView type);

// The operation's variables coerced by its definitions (§6.4.1). Errors carry the
// variable definition's location.
boost::system::result<boost::json::object, Errors> coerceVariableValues(const Schema& schema,
                                                                        const ast::OperationDefinition& operation,
                                                                        const boost::json::object& inputs);

// A field's (or directive's) arguments coerced by their definitions (§6.4.2).
boost::system::result<boost::json::object, Error> coerceArgumentValues(const Schema& schema,
                                                                       const std::vector<InputValue>& definitions,
                                                                       const std::vector<ast::Argument>& arguments,
                                                                       const boost::json::object& variables,
                                                                       Location where);

// Result coercion of a leaf value (scalar or enum); the error is the message.
boost::system::result<boost::json::value, std::string> serializeLeaf(const Type& type, const boost::json::value& v);

// A coerced input value printed as a GraphQL literal of `type`; nullopt when it cannot be.
std::optional<std::string> printLiteral(const Schema& schema, const boost::json::value& v, TypeView type);

// JavaScript's Number.prototype.toString (shortest round trip).
std::string formatJsNumber(double d);
// The text of a JSON number as JavaScript would print it.
std::string formatJsNumber(const boost::json::value& number);
// A GraphQL string literal (printString): quotes, backslashes and controls escaped.
std::string printGraphqlString(std::string_view s);
// JSON text in JSON.stringify's shape: no spaces, numbers as JavaScript prints them.
void appendJson(std::string& out, const boost::json::value& v);
std::string toJsonText(const boost::json::value& v);

}  // namespace sg::graphql
