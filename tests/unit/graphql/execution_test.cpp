#include "graphql/graphql.hpp"

#include "graphql/test_schema.hpp"
#include "graphql/values.hpp"

#include <boost/json/parse.hpp>

#include <gtest/gtest.h>

#include <deque>
#include <functional>

namespace sg::graphql {
namespace {

namespace json = boost::json;

// Completions parked by asynchronous resolvers, run later as an event loop would.
struct Later {
  std::deque<std::function<void()>> tasks;
  void runAll() {
    while (!tasks.empty()) {
      auto t = std::move(tasks.front());
      tasks.pop_front();
      t();
    }
  }
};

json::value root() {
  return json::parse(R"({
    "dog": {"__typename": "Dog", "id": "d1", "name": "Rex", "barks": true, "color": "RED",
            "friends": [{"__typename": "Cat", "id": "c1", "name": "Tom", "meows": true}, null]},
    "pets": [{"__typename": "Dog", "id": "d1", "name": "Rex", "barks": true},
             {"__typename": "Cat", "id": "c1", "name": "Tom", "meows": true, "lives": 9}],
    "numbers": [1, 2, 3]
  })");
}

class GraphqlExecution : public ::testing::Test {
 protected:
  GraphqlExecution() : engine_(testing::testSchema(), resolvers()) {}

  Resolvers resolvers() {
    Resolvers r;
    r.on("Query", "slow", [this](const FieldCall& call, Completion done) {
      // Copies what it needs: the call's references end with this function.
      std::string path = toJsonText(call.path.toJson());
      later_.tasks.push_back([d = std::make_shared<Completion>(std::move(done)), path]() mutable {
        (*d)(json::value("late at " + path));
      });
    });
    r.on("Query", "failing", [](const FieldCall&, Completion done) {
      done(fieldError("not allowed", {{"code", "FORBIDDEN"}}));
    });
    r.on("Query", "failingNonNull", [](const FieldCall&, Completion done) { done(fieldError("broken")); });
    r.on("Query", "echo", [](const FieldCall& call, Completion done) { done(json::value(toJsonText(call.args))); });
    r.on("Query", "node", [](const FieldCall&, Completion) {
      // Drops its completion: the field fails instead of hanging the execution.
    });
    r.on("Mutation", "step", [this](const FieldCall& call, Completion done) {
      std::int64_t by = call.args.at("by").as_int64();
      later_.tasks.push_back([this, by, d = std::make_shared<Completion>(std::move(done))]() mutable {
        counter_ += by;
        (*d)(json::value(counter_));
      });
    });
    return r;
  }

  json::object run(const std::string& query, const char* variables = nullptr, std::string_view op = {}) {
    auto doc = engine_.prepare(query);
    if (!doc) return errorResponse(doc.error());
    json::object vars = variables ? json::parse(variables).as_object() : json::object{};
    std::optional<json::object> response;
    engine_.execute(*doc, {op, &vars, root(), nullptr}, [&](json::object r) { response = std::move(r); });
    later_.runAll();
    EXPECT_TRUE(response.has_value());
    return response ? *response : json::object{};
  }

  Later later_;
  std::int64_t counter_ = 0;
  Engine engine_;
};

TEST_F(GraphqlExecution, ResolvesInSelectionOrderWithAliasesAndFragments) {
  auto r = run("{ slow dog { n: name ...F ... on Dog { barks } friends { __typename ... on Cat { meows } } } numbers }"
               " fragment F on Named { name }");
  EXPECT_EQ(serializeResponse(r),
            R"({"data":{"slow":"late at [\"slow\"]","dog":{"n":"Rex","name":"Rex","barks":true,)"
            R"("friends":[{"__typename":"Cat","meows":true},null]},"numbers":[1,2,3]}})");
}

TEST_F(GraphqlExecution, ErrorsCarryPathLocationsAndExtensions) {
  auto r = run("{ failing dog { name } }");
  EXPECT_EQ(serializeResponse(r),
            R"({"errors":[{"message":"not allowed","locations":[{"line":1,"column":3}],"path":["failing"],)"
            R"("extensions":{"code":"FORBIDDEN"}}],"data":{"failing":null,"dog":{"name":"Rex"}}})");
}

TEST_F(GraphqlExecution, NullPropagatesToTheNearestNullableParent) {
  auto r = run("{ dog { name } failingNonNull }");
  EXPECT_EQ(r.at("data"), json::value(nullptr));
  EXPECT_EQ(r.at("errors").as_array().size(), 1u);
  // A non-null list item that is null nulls the list's field (here the root).
  r = run("{ pets { ... on Dog { barks } ... on Cat { meows } } }");
  EXPECT_FALSE(r.contains("errors"));
}

TEST_F(GraphqlExecution, MutationsRunInSeriesEvenWhenAsynchronous) {
  auto r = run("mutation { a: step b: step(by: 10) c: step }");
  EXPECT_EQ(serializeResponse(r), R"({"data":{"a":1,"b":11,"c":12}})");
}

TEST_F(GraphqlExecution, VariablesAreCoercedBeforeExecution) {
  auto r = run("query ($i: Int, $f: Filter) { echo(req: \"r\", i: $i, filter: $f) }", R"({"i": 2, "f": {"tags": "t"}})");
  EXPECT_EQ(r.at("data").at("echo"), json::value(R"({"i":2,"filter":{"minLives":1,"name":"x","tags":["t"]},"req":"r"})"));
  r = run("query ($i: Int) { echo(req: \"r\", i: $i) }", R"({"i": "two"})");
  EXPECT_FALSE(r.contains("data"));
  ASSERT_EQ(r.at("errors").as_array().size(), 1u);
  r = run("query ($i: Int!) { echo(req: \"r\", i: $i) }");
  EXPECT_FALSE(r.contains("data"));
}

TEST_F(GraphqlExecution, SelectsTheOperationByName) {
  EXPECT_EQ(serializeResponse(run("query A { numbers } query B { dog { id } }", nullptr, "B")),
            R"({"data":{"dog":{"id":"d1"}}})");
  EXPECT_FALSE(run("query A { numbers } query B { dog { id } }").contains("data"));
  EXPECT_FALSE(run("query A { numbers }", nullptr, "C").contains("data"));
}

TEST_F(GraphqlExecution, SkipAndInclude) {
  auto r = run("query ($b: Boolean!) { dog { name @skip(if: $b) id @include(if: $b) } }", R"({"b": true})");
  EXPECT_EQ(serializeResponse(r), R"({"data":{"dog":{"id":"d1"}}})");
}

TEST_F(GraphqlExecution, ADroppedCompletionFailsTheField) {
  auto r = run("{ node(id: \"x\") { id } }");
  EXPECT_EQ(r.at("data").at("node"), json::value(nullptr));
  EXPECT_EQ(r.at("errors").as_array().size(), 1u);
}

TEST_F(GraphqlExecution, PreparedDocumentsRunManyTimesAndNameTheirSubscriptionRoot) {
  auto doc = engine_.prepare("subscription S($room: String!) { counter(room: $room) }");
  ASSERT_TRUE(doc);
  json::object vars{{"room", "lobby"}};
  auto sub = engine_.subscriptionRoot(**doc, "", &vars);
  ASSERT_TRUE(sub) << sub.error().front().message;
  EXPECT_EQ(sub->field_name, "counter");
  EXPECT_EQ(toJsonText(sub->arguments), R"({"room":"lobby"})");
  EXPECT_FALSE(engine_.subscriptionRoot(**doc, "", nullptr));  // $room is required
  for (int event = 1; event <= 3; ++event) {
    // One event value shared by every execution (borrowed, not copied).
    const json::value shared = json::object{{"counter", event}};
    json::object response;
    ExecuteOptions options;
    options.variables = &vars;
    options.root_ref = &shared;
    engine_.execute(*doc, std::move(options), [&](json::object r) { response = std::move(r); });
    EXPECT_EQ(response.at("data").at("counter"), json::value(event));
  }
  auto query = engine_.prepare("{ numbers }");
  ASSERT_TRUE(query);
  EXPECT_FALSE(engine_.subscriptionRoot(**query, "", nullptr));
}

TEST_F(GraphqlExecution, IntrospectionAnswersTypeQueries) {
  auto r = run("{ __type(name: \"Filter\") { kind inputFields { name defaultValue type { kind ofType { name } } } } }");
  EXPECT_EQ(toJsonText(r.at("data")),
            R"({"__type":{"kind":"INPUT_OBJECT","inputFields":[)"
            R"({"name":"color","defaultValue":null,"type":{"kind":"ENUM","ofType":null}},)"
            R"({"name":"minLives","defaultValue":"1","type":{"kind":"SCALAR","ofType":null}},)"
            R"({"name":"name","defaultValue":"\"x\"","type":{"kind":"NON_NULL","ofType":{"name":"String"}}},)"
            R"({"name":"tags","defaultValue":null,"type":{"kind":"LIST","ofType":{"name":null}}},)"
            R"({"name":"inner","defaultValue":null,"type":{"kind":"INPUT_OBJECT","ofType":null}}]}})");
  r = run("{ __type(name: \"Color\") { enumValues { name } all: enumValues(includeDeprecated: true) { name isDeprecated } } }");
  EXPECT_EQ(r.at("data").at("__type").at("enumValues").as_array().size(), 2u);
  EXPECT_EQ(r.at("data").at("__type").at("all").as_array().size(), 3u);
}

TEST_F(GraphqlExecution, BoundsTheResultSize) {
  Limits limits;
  limits.max_result_fields = 5;
  Engine small(testing::testSchema(), {}, limits);
  auto doc = small.prepare("{ numbers dog { name id } }");
  ASSERT_TRUE(doc);
  json::object response;
  small.execute(*doc, {"", nullptr, root(), nullptr}, [&](json::object r) { response = std::move(r); });
  ASSERT_TRUE(response.contains("errors"));
}

TEST(GraphqlEngine, RefusesResolversForUnknownFields) {
  EXPECT_THROW(Engine(testing::testSchema(), Resolvers{}.on("Query", "nope", [](const FieldCall&, Completion) {})),
               std::invalid_argument);
}

}  // namespace
}  // namespace sg::graphql
