// sockguard-graphql-micro: the GraphQL engine's own time for the documents `make bench`
// sends over HTTP (bench/graphql_documents.hpp), on the application's schema: parse +
// validate (Engine::prepare), execute, and the whole request as the HTTP endpoint runs
// it (prepare, execute, serialise), in microseconds per document, on one thread.
//
// accountsMe's resolver answers at once with a fixed account here: the server's looks
// the session up on a worker pool, which is I/O and not the engine's time.
#include "app/graphql_schema.hpp"
#include "graphql/graphql.hpp"
#include "graphql_documents.hpp"
#include "report.hpp"

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <string>

namespace {
namespace graphql = sg::graphql;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

// Runs `step` over and over for about `budget`; microseconds per run and the run count.
struct Timing {
  double us = 0;
  std::uint64_t runs = 0;
};
Timing timeIt(std::chrono::milliseconds budget, const std::function<void()>& step) {
  for (int i = 0; i < 50; ++i) step();  // warm caches and the allocator
  std::uint64_t runs = 0;
  auto start = Clock::now();
  auto end = start + budget;
  Clock::time_point now;
  do {
    for (int i = 0; i < 20; ++i) step();
    runs += 20;
    now = Clock::now();
  } while (now < end);
  return {std::chrono::duration<double, std::micro>(now - start).count() / static_cast<double>(runs), runs};
}

}  // namespace

int main(int argc, char** argv) {
  int ms = 600;
  CLI::App app{"sockguard-graphql-micro: the GraphQL engine's time per document on the application's schema"};
  app.add_option("--ms", ms, "milliseconds per measurement")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  const auto budget = std::chrono::milliseconds(ms);

  auto schema = graphql::Schema::fromSdl(std::string(sg::app::applicationSchemaSdl()));
  if (!schema) {
    fmt::print(stderr, "graphql-micro: the application's schema does not build: {}\n", schema.error().front().message);
    return 1;
  }
  graphql::Resolvers resolvers;
  resolvers.on("Query", "accountsMe", [](const graphql::FieldCall&, graphql::Completion done) {
    done(json::value(json::object{{"id", "1"}, {"email", "bench@example.com"}}));
  });
  graphql::Engine engine(*schema, std::move(resolvers));

  struct Document {
    std::string_view name;
    std::string_view query;
  };
  const Document documents[] = {
      {"accountsMe", sg::bench::kAccountsMeQuery},
      {"introspection", sg::bench::kIntrospectionQuery},
  };
  fmt::print("== graphql engine: one thread, the application's schema, {} ms per figure\n", ms);
  for (const auto& doc : documents) {
    auto prepared = engine.prepare(std::string(doc.query));
    if (!prepared) {
      fmt::print(stderr, "graphql-micro: {} does not validate: {}\n", doc.name, prepared.error().front().message);
      return 1;
    }
    std::size_t response_bytes = 0;
    auto run = [&](const graphql::PreparedPtr& document) {
      engine.execute(document, {}, [&](json::object response) {
        response_bytes = graphql::serializeResponse(response).size();
      });
    };
    run(*prepared);
    if (response_bytes == 0) {
      fmt::print(stderr, "graphql-micro: {} did not complete at once\n", doc.name);
      return 1;
    }
    Timing prepare = timeIt(budget, [&] {
      auto again = engine.prepare(std::string(doc.query));
      if (!again) std::abort();
    });
    Timing execute = timeIt(budget, [&] { run(*prepared); });
    Timing whole = timeIt(budget, [&] {
      auto again = engine.prepare(std::string(doc.query));
      if (!again) std::abort();
      run(*again);
    });
    sg::bench::printLine(doc.name, fmt::format("{:.1f} us per document: parse+validate {:.1f} us, execute+serialise "
                                               "{:.1f} us ({} B in, {} B out)",
                                               whole.us, prepare.us, execute.us, doc.query.size(), response_bytes));
  }
  return 0;
}
