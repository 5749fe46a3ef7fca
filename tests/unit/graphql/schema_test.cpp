#include "graphql/schema.hpp"
#include "graphql/values.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <gtest/gtest.h>

namespace sg::graphql {
namespace {

namespace json = boost::json;

const char* kSdl = R"(
"Any JSON value." scalar JSON @specifiedBy(url: "https://www.json.org")
interface Node { id: ID! }
type Dog implements Node { id: ID! name(upper: Boolean = false): String  old: String @deprecated }
type Cat implements Node { id: ID! }
union Pet = Dog | Cat
enum Color { RED BLUE @deprecated(reason: "gone") }
input Filter { color: Color = RED, tags: [String!], inner: Filter }
type Query { pet: Pet  node(id: ID!): Node  list(f: Filter = {tags: "a"}): [Int] }
)";

TEST(GraphqlSchema, BuildsTypesFromSdl) {
  auto schema = Schema::fromSdl(kSdl);
  ASSERT_TRUE(schema) << schema.error().front().message;
  const Schema& s = **schema;
  const Type* dog = s.type("Dog");
  ASSERT_NE(dog, nullptr);
  EXPECT_EQ(dog->kind, TypeKind::Object);
  EXPECT_EQ(dog->interfaces.at(0)->name, "Node");
  EXPECT_EQ(*dog->field("old")->deprecation_reason, "No longer supported");
  EXPECT_EQ(dog->field("name")->arg("upper")->default_value, json::value(false));
  EXPECT_EQ(s.type("Node")->possible_types.size(), 2u);
  EXPECT_TRUE(s.isPossibleType(*s.type("Pet"), *dog));
  EXPECT_TRUE(s.overlap(*s.type("Pet"), *s.type("Node")));
  EXPECT_EQ(*s.type("Color")->enumValue("BLUE")->deprecation_reason, "gone");
  EXPECT_EQ(*s.type("JSON")->specified_by_url, "https://www.json.org");
  EXPECT_TRUE(s.type("Int")->builtin);
  EXPECT_EQ(s.rootType(OperationType::Query)->name, "Query");
  EXPECT_EQ(s.rootType(OperationType::Mutation), nullptr);
  ASSERT_NE(s.directive("deprecated"), nullptr);
  // Defaults are coerced: input objects get their fields' defaults, lists wrap one value.
  const auto& dflt = *s.type("Query")->field("list")->arg("f")->default_value;
  EXPECT_EQ(json::serialize(dflt), R"({"color":"RED","tags":["a"]})");
  EXPECT_EQ(*printLiteral(s, dflt, s.type("Query")->field("list")->arg("f")->type), "{color: RED, tags: [\"a\"]}");
  // Introspection order: the document's types, built-in scalars where first used.
  std::vector<std::string_view> names;
  for (const Type* t : s.types()) names.push_back(t->name);
  ASSERT_GE(names.size(), 10u);
  EXPECT_EQ(names[0], "JSON");
  EXPECT_EQ(names[1], "Node");
  EXPECT_EQ(names[2], "ID");
  EXPECT_EQ(names[3], "Dog");
  EXPECT_EQ(names[4], "String");  // a field's type before its arguments' types
  EXPECT_EQ(names[5], "Boolean");
}

TEST(GraphqlSchema, RefusesBrokenSchemas) {
  EXPECT_FALSE(Schema::fromSdl("type Query { a: Nope }"));
  EXPECT_FALSE(Schema::fromSdl("type Query { a(x: Query): Int }"));
  EXPECT_FALSE(Schema::fromSdl("input I { a: Int } type Query { a: I }"));
  EXPECT_FALSE(Schema::fromSdl("type Mutation { a: Int }"));
  EXPECT_FALSE(Schema::fromSdl("type Query { a: Int } type Query { b: Int }"));
  EXPECT_FALSE(Schema::fromSdl("type Query { a(x: Int = \"no\"): Int }"));
  EXPECT_FALSE(Schema::fromSdl("union U = Query | Int type Query { a: Int }"));
  EXPECT_FALSE(Schema::fromSdl("type Query {"));
  // Implementations must have the interface's fields, with fitting types and arguments.
  EXPECT_FALSE(Schema::fromSdl("interface I { a: Int } type T implements I { b: Int } type Query { t: T }"));
  EXPECT_FALSE(Schema::fromSdl("interface I { a: Int } type T implements I { a: String } type Query { t: T }"));
  EXPECT_FALSE(Schema::fromSdl("interface I { a(x: Int): Int } type T implements I { a: Int } type Query { t: T }"));
  EXPECT_FALSE(Schema::fromSdl("interface I { a: Int } interface J implements I { a: Int } type T implements J { a: Int } type Query { t: T }"));
  EXPECT_TRUE(Schema::fromSdl("interface I { a: I } type T implements I { a: T! b(y: Int): Int } type Query { t: T }"));
  auto described = Schema::fromSdl("\"The API.\" schema { query: Root } type Root { a: Int }");
  ASSERT_TRUE(described);
  EXPECT_EQ(*(*described)->description(), "The API.");
}

TEST(GraphqlValues, CoercesInputAndResults) {
  auto schema = Schema::fromSdl(kSdl).value();
  const Type& integer = *schema->type("Int");
  EXPECT_EQ(*serializeLeaf(integer, json::value(true)), json::value(1));
  EXPECT_FALSE(serializeLeaf(integer, json::value(1.5)));
  EXPECT_FALSE(serializeLeaf(integer, json::value(3000000000LL)));
  EXPECT_EQ(*serializeLeaf(*schema->type("String"), json::value(2.5)), json::value("2.5"));
  EXPECT_EQ(*serializeLeaf(*schema->type("ID"), json::value(7)), json::value("7"));
  EXPECT_FALSE(serializeLeaf(*schema->type("Color"), json::value("GREEN")));

  auto filter = ast::TypeView{"Filter", ""};
  auto ok = coerceInputValue(*schema, json::parse(R"({"tags": "x", "inner": {"color": "BLUE"}})"), filter);
  ASSERT_TRUE(ok) << ok.error();
  EXPECT_EQ(json::serialize(*ok), R"({"color":"RED","tags":["x"],"inner":{"color":"BLUE"}})");
  auto bad = coerceInputValue(*schema, json::parse(R"({"inner": {"tags": [null]}})"), filter);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("inner.tags[0]"), std::string::npos);
  EXPECT_FALSE(coerceInputValue(*schema, json::parse(R"({"nope": 1})"), filter));
  EXPECT_FALSE(coerceInputValue(*schema, json::value(1.5), {"Int", ""}));
  EXPECT_EQ(*coerceInputValue(*schema, json::value(2.0), {"Int", ""}), json::value(2));
}

TEST(GraphqlValues, PrintsNumbersAsJavaScript) {
  EXPECT_EQ(formatJsNumber(1.0), "1");
  EXPECT_EQ(formatJsNumber(-0.5), "-0.5");
  EXPECT_EQ(formatJsNumber(1e21), "1e+21");
  EXPECT_EQ(formatJsNumber(123456789012345680000.0), "123456789012345680000");
  EXPECT_EQ(formatJsNumber(1e-7), "1e-7");
  EXPECT_EQ(formatJsNumber(0.000001), "0.000001");
  EXPECT_EQ(formatJsNumber(2.5e-10), "2.5e-10");
  EXPECT_EQ(toJsonText(json::parse(R"({"a":[1,2.5,"x\n\u0001",null,true],"b":1E2})")),
            R"({"a":[1,2.5,"x\n\u0001",null,true],"b":100})");
  EXPECT_EQ(printGraphqlString("a\"b\\c\n\x01"), R"("a\"b\\c\n\u0001")");
}

}  // namespace
}  // namespace sg::graphql
