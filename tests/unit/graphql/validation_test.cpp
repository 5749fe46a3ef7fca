#include "graphql/validation.hpp"

#include "graphql/parser.hpp"
#include "graphql/test_schema.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace sg::graphql {
namespace {

Errors check(const std::string& query, const Limits& limits = {}) {
  auto doc = parseExecutable(query, limits);
  if (!doc) return {doc.error()};
  return validate(*testing::testSchema(), **doc, limits);
}

struct Case {
  const char* rule;
  const char* query;
};

// Each rule of spec §5 with a document it must refuse.
const Case kInvalid[] = {
    {"5.2.1.1 operation name uniqueness", "query A { dog { name } } query A { numbers }"},
    {"5.2.2.1 lone anonymous operation", "{ dog { name } } query B { numbers }"},
    {"5.2.3.1 single root field", "subscription { counter(room: \"a\") other }"},
    {"5.2.3.1 single root field via fragment", "subscription { ...S } fragment S on Subscription { counter(room: \"a\") other }"},
    {"5.2.3.1 no introspection root", "subscription { __typename }"},
    {"5.3.1 fields on correct type", "{ dog { lives } }"},
    {"5.3.1 fields on abstract type", "{ pets { name } }"},
    {"5.3.2 merging: different fields", "{ dog { name: barks name } }"},
    {"5.3.2 merging: different arguments", "{ dog { nickname(upper: true) nickname(upper: false) } }"},
    {"5.3.2 merging: shapes", "{ pets { ... on Dog { x: name } ... on Cat { x: lives } } }"},
    {"5.3.2 merging: subfields", "{ dog { owner { id } } dog { owner { id: email } } }"},
    {"5.3.3 leaf with selection", "{ dog { name { x } } }"},
    {"5.3.3 composite without selection", "{ dog }"},
    {"5.4.1 argument names", "{ dog { nickname(lower: true) } }"},
    {"5.4.1 directive argument names", "{ dog { name @skip(if: true, unless: false) } }"},
    {"5.4.2 argument uniqueness", "{ dog { nickname(upper: true, upper: true) } }"},
    {"5.4.2.1 required arguments", "{ node { id } }"},
    {"5.4.2.1 required directive arguments", "{ dog { name @include } }"},
    {"5.5.1.1 fragment name uniqueness", "{ dog { ...F } } fragment F on Dog { name } fragment F on Dog { id }"},
    {"5.5.1.2 fragment type exists", "{ dog { ... on Wolf { name } } }"},
    {"5.5.1.3 fragments on composite types", "{ dog { ...F } } fragment F on Int { x }"},
    {"5.5.1.4 fragments must be used", "{ dog { name } } fragment F on Dog { name }"},
    {"5.5.2.1 fragment spread target defined", "{ dog { ...Nope } }"},
    {"5.5.2.2 no cycles", "{ dog { ...A } } fragment A on Dog { ...B } fragment B on Dog { ...A }"},
    {"5.5.2.3 possible spreads", "{ dog { ... on Cat { meows } } }"},
    {"5.5.2.3 possible spreads, abstract", "{ pets { ... on Person { id } } }"},
    {"5.6.1 values of correct type", "{ echo(req: \"r\", i: \"1\") }"},
    {"5.6.1 int range", "{ echo(req: \"r\", i: 2147483648) }"},
    {"5.6.1 enum value", "{ echo(req: \"r\", c: PURPLE) }"},
    {"5.6.1 null for non-null", "{ echo(req: null) }"},
    {"5.6.2 input object field names", "{ echo(req: \"r\", filter: {colour: RED}) }"},
    {"5.6.3 input object field uniqueness", "{ echo(req: \"r\", filter: {color: RED, color: BLUE}) }"},
    {"5.6.4 input object required fields", "{ echo(req: \"r\", filter: {name: null}) }"},
    {"5.7.1 directives defined", "{ dog @nope { name } }"},
    {"5.7.2 directives in valid locations", "query @skip(if: true) { dog { name } }"},
    {"5.7.3 directives unique per location", "{ dog { name @skip(if: true) @skip(if: false) } }"},
    {"5.8.1 variable uniqueness", "query ($a: Int, $a: Int) { echo(req: \"r\", i: $a) }"},
    {"5.8.2 variables are input types", "query ($a: Dog) { echo(req: \"r\", s: $a) }"},
    {"5.8.2 variable type known", "query ($a: Wolf) { echo(req: \"r\", s: $a) }"},
    {"5.8.3 variables defined", "{ echo(req: \"r\", i: $x) }"},
    {"5.8.3 variables defined through fragments", "query { dog { ...F } } fragment F on Dog { nickname(upper: $u) }"},
    {"5.8.4 variables used", "query ($a: Int) { echo(req: \"r\") }"},
    {"5.8.5 variables in allowed position", "query ($s: String) { echo(req: $s) }"},
    {"5.8.5 list position", "query ($i: Int) { echo(req: \"r\", l: [$i], i: $i) } query B($l: [Int]) { echo(req: \"r\", i: $l) }"},
    {"executable definitions only", "type Dog { name: String }"},
    {"introspection depth", "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }"},
};

const char* kValid[] = {
    "{ dog { name nickname(upper: true) ... on Named { name } ...F } } fragment F on Dog { id owner { email } }",
    "query ($id: ID!, $f: Filter = {color: RED}) { node(id: $id) { id ... on Dog { name } } pets(filter: $f) { __typename } }",
    "query ($s: String = \"d\") { echo(req: $s) }",
    "query ($b: Boolean!) { dog { name @skip(if: $b) } }",
    "{ pets { ... on Dog { x: name } ... on Cat { x: name } } }",
    "{ pets { ... on Dog { x: barks } ... on Cat { x: meows } } }",
    "{ dog { friends { ... on Dog { barks } ... on Cat { meows } } } }",
    "{ echo(req: \"r\", l: 1, j: {a: [1, {b: null}]}, f: 1, filter: {tags: \"one\"}) }",
    "mutation { a: step b: step(by: 2) }",
    "subscription S($r: String!) { counter(room: $r) }",
    "{ __schema { types { name fields { name } } } __type(name: \"Dog\") { name } }",
    "query ($t: String!) { echo(req: \"r\", filter: {tags: [$t]}) }",
};

TEST(GraphqlValidation, EveryRuleRefusesItsCase) {
  for (const auto& c : kInvalid) {
    Errors errors = check(c.query);
    EXPECT_FALSE(errors.empty()) << c.rule << ": " << c.query;
    for (const auto& e : errors) EXPECT_FALSE(e.message.empty()) << c.rule;
  }
}

TEST(GraphqlValidation, AcceptsValidDocuments) {
  for (const char* q : kValid) {
    Errors errors = check(q);
    EXPECT_TRUE(errors.empty()) << q << ": " << (errors.empty() ? "" : errors.front().message);
  }
}

TEST(GraphqlValidation, ErrorsCarryLocations) {
  Errors errors = check("{\n  dog {\n    lives\n  }\n}");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].locations.at(0), (Location{3, 5}));
  EXPECT_NE(errors[0].message.find("lives"), std::string::npos);
}

// Hostile documents are answered with an error quickly.
TEST(GraphqlValidation, BoundsFragmentExplosionAndFieldMerging) {
  auto started = std::chrono::steady_clock::now();
  // Each fragment spreads the next twice: 2^40 fields once expanded.
  std::string explode = "{ dog { ...F0 } }";
  for (int i = 0; i < 40; ++i)
    explode += " fragment F" + std::to_string(i) + " on Dog { a: friends { ...F" + std::to_string(i + 1) +
               " } b: friends { ...F" + std::to_string(i + 1) + " } }";
  explode += " fragment F40 on Named { name }";
  Errors errors = check(explode);
  ASSERT_FALSE(errors.empty());

  // Many distinct fields under one response key: pairwise merging is bounded.
  std::string overlap = "{";
  for (int i = 0; i < 500; ++i) overlap += " x: dog { owner { v" + std::to_string(i) + ": id } }";
  overlap += " }";
  Limits limits;
  limits.max_overlap_comparisons = 20000;
  errors = check(overlap, limits);
  ASSERT_FALSE(errors.empty());
  EXPECT_NE(errors[0].message.find("too complex"), std::string::npos);

  // The same field repeated is alike, not quadratic: valid.
  std::string repeated = "{";
  for (int i = 0; i < 500; ++i) repeated += " dog { owner { id } friends { name } }";
  repeated += " }";
  EXPECT_TRUE(check(repeated, limits).empty());
  // An object literal with thousands of fields: duplicates found without a quadratic scan.
  std::string wide = "{ echo(req: \"r\", j: {";
  for (int i = 0; i < 6000; ++i) wide += " f" + std::to_string(i % 3000) + ": 1";
  wide += " }) }";
  errors = check(wide);
  EXPECT_EQ(errors.size(), Limits{}.max_validation_errors);  // 3000 duplicates, reported up to the cap
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
}

}  // namespace
}  // namespace sg::graphql
