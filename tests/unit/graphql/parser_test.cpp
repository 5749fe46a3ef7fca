#include "graphql/lexer.hpp"
#include "graphql/parser.hpp"

#include <gtest/gtest.h>

namespace sg::graphql {
namespace {

TEST(GraphqlParser, ParsesOperationsFragmentsAndLocations) {
  auto doc = parseExecutable(
      "query Q($id: ID! = \"x\", $l: [[Int!]]!) @dir {\n"
      "  a: node(id: $id) { ...F ... on Dog @skip(if: true) { name } ... { id } }\n"
      "}\n"
      "fragment F on Node { id }\n");
  ASSERT_TRUE(doc) << doc.error().message;
  const auto& d = **doc;
  ASSERT_EQ(d.operations.size(), 1u);
  const auto& op = d.operations[0];
  EXPECT_EQ(op.name, "Q");
  ASSERT_EQ(op.variables.size(), 2u);
  EXPECT_EQ(op.variables[0].type.wrappers, "N");
  EXPECT_EQ(op.variables[1].type.wrappers, "NLLN");
  EXPECT_EQ(op.variables[1].type.name, "Int");
  EXPECT_EQ(ast::toString(ast::TypeView::of(op.variables[1].type)), "[[Int!]]!");
  const auto& field = op.selection_set.items.at(0);
  EXPECT_EQ(field.alias, "a");
  EXPECT_EQ(field.name, "node");
  EXPECT_EQ(field.loc, (Location{2, 3}));
  ASSERT_EQ(field.selection_set.items.size(), 3u);
  EXPECT_EQ(field.selection_set.items[0].kind, ast::SelectionKind::FragmentSpread);
  EXPECT_EQ(field.selection_set.items[1].kind, ast::SelectionKind::InlineFragment);
  EXPECT_EQ(field.selection_set.items[1].type_condition, "Dog");
  EXPECT_EQ(field.selection_set.items[2].type_condition, "");
  ASSERT_NE(d.fragment("F"), nullptr);
  EXPECT_EQ(d.fragment("F")->loc, (Location{4, 1}));
}

TEST(GraphqlParser, DecodesStringsAndBlockStrings) {
  auto doc = parseExecutable("{ f(a: \"x\\n\\u00e9\\uD83D\\uDE00\\u{1F600}\", b: \"\"\"\n    one\n      two\n    \"\"\") }");
  ASSERT_TRUE(doc) << doc.error().message;
  const auto& args = (*doc)->operations[0].selection_set.items[0].arguments;
  EXPECT_EQ(args[0].value.text, "x\n\xC3\xA9\xF0\x9F\x98\x80\xF0\x9F\x98\x80");
  EXPECT_EQ(args[1].value.text, "one\n  two");
}

TEST(GraphqlParser, SyntaxErrorsHaveLocations) {
  auto doc = parseExecutable("{\n  a(\n}");
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.error().locations.at(0), (Location{3, 1}));
  EXPECT_NE(doc.error().message.find("Syntax Error"), std::string::npos);
  for (const char* bad : {"", "{}", "{ a", "query", "{ a(b: 01) }", "{ a(b: 1.) }", "{ a(b: \"x) }", "{ a(b: $) }",
                          "fragment on on X { a }", "{ ...on }", "type X { a: Int }", "{ a(b: 1a) }", "{ a @ }",
                          "query ($a: Int = $b) { a }", "{ a(b: \"\\x\") }", "{ a(b: \"\\uD800\") }"}) {
    EXPECT_FALSE(parseExecutable(bad)) << bad;
  }
}

TEST(GraphqlParser, LimitsAnswerErrors) {
  Limits limits;
  limits.max_depth = 10;
  std::string deep = std::string(50, '{');
  EXPECT_FALSE(parseExecutable("query " + deep, limits));
  std::string deep_list = "{ a(b: " + std::string(100000, '[') + ") }";
  EXPECT_FALSE(parseExecutable(deep_list));
  limits = {};
  limits.max_tokens = 100;
  std::string many = "{";
  for (int i = 0; i < 200; ++i) many += " a";
  many += " }";
  auto doc = parseExecutable(many, limits);
  ASSERT_FALSE(doc);
  EXPECT_NE(doc.error().message.find("tokens"), std::string::npos);
  limits = {};
  limits.max_document_bytes = 10;
  EXPECT_FALSE(parseExecutable("{ aaaaaaaaaaaaaaaaa }", limits));
  EXPECT_FALSE(parseExecutable("{ a(b: \"\xff\") }"));
}

TEST(GraphqlParser, ParsesSdl) {
  auto doc = parseTypeSystem(R"(
"""
A block
  description
"""
type Dog implements & Node & Named @key { id: ID! "the name" name(upper: Boolean = false): String @deprecated }
interface Node { id: ID! }
union U = | Dog | Cat
enum Color { RED GREEN @deprecated(reason: "no") }
input F { a: Int = 1, b: [F!] }
scalar JSON @specifiedBy(url: "https://example.com")
directive @auth(role: String) repeatable on FIELD_DEFINITION | OBJECT
schema { query: Query }
)");
  ASSERT_TRUE(doc) << doc.error().message;
  const auto& d = **doc;
  ASSERT_EQ(d.types.size(), 6u);
  EXPECT_EQ(*d.types[0].description, "A block\n  description");
  EXPECT_EQ(d.types[0].interfaces.size(), 2u);
  EXPECT_EQ(*d.types[0].fields[1].description, "the name");
  EXPECT_EQ(d.types[2].members.size(), 2u);
  EXPECT_EQ(d.types[3].values.size(), 2u);
  EXPECT_TRUE(d.types[4].input_fields[0].default_value);
  ASSERT_EQ(d.directives.size(), 1u);
  EXPECT_TRUE(d.directives[0].repeatable);
  EXPECT_EQ(d.directives[0].locations.size(), 2u);
  ASSERT_TRUE(d.schema);
}

TEST(GraphqlLexer, BlockStringValue) {
  EXPECT_EQ(blockStringValue("\n  a\n    b\n\n"), "a\n  b");
  EXPECT_EQ(blockStringValue("  first\n  second"), "  first\nsecond");
}

}  // namespace
}  // namespace sg::graphql
