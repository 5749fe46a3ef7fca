// graphql_conformance_runner: runs the conformance corpus on sockguard's engine, with the
// resolvers tests/graphql/conformance/README.md describes (the graphql-js runner has the
// same ones). Reads a JSON array of {query, variables?, operationName?} from stdin and
// writes a JSON array of {errors?, data?} to stdout, one per case, in order.
//   graphql_conformance_runner schema.graphql root.json < cases.json
#include "graphql/graphql.hpp"
#include "graphql/values.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iostream>
#include <sstream>

namespace json = boost::json;
using namespace sg::graphql;

namespace {

std::string readAll(std::istream& in) {
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string readFile(const char* path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(std::string("cannot read ") + path);
  return readAll(in);
}

// The first object, depth-first in document order, whose "id" is `id`.
const json::object* findById(const json::value& v, std::string_view id) {
  if (v.is_object()) {
    const auto& o = v.get_object();
    if (const auto* own = o.if_contains("id"); own && own->is_string() && own->get_string() == id) return &o;
    for (const auto& entry : o)
      if (const auto* found = findById(entry.value(), id)) return found;
  } else if (v.is_array()) {
    for (const auto& item : v.get_array())
      if (const auto* found = findById(item, id)) return found;
  }
  return nullptr;
}

struct Context {
  std::int64_t counter = 0;
};

Resolvers conformanceResolvers(const json::value& root) {
  Resolvers r;
  auto failing = [](std::string message) {
    return [message](const FieldCall&, Completion done) { done(fieldError(message)); };
  };
  r.on("Query", "node", [root](const FieldCall& call, Completion done) {
    std::string_view id = call.args.at("id").get_string();
    const json::object* found = findById(root, id);
    if (!found) return done(json::value(nullptr));
    json::object out = *found;
    if (!id.empty() && id[0] == 'u' && !out.contains("__typename")) out["__typename"] = "Account";
    done(json::value(std::move(out)));
  });
  r.on("Query", "echo", [](const FieldCall& call, Completion done) { done(json::value(toJsonText(call.args))); });
  r.on("Query", "fail", failing("fail failed"));
  r.on("Query", "failNonNull", failing("failNonNull failed"));
  r.on("Nested", "failing", failing("failing failed"));
  r.on("Nested", "failingNonNull", failing("failingNonNull failed"));
  r.on("Dog", "nickname", [](const FieldCall& call, Completion done) {
    const json::value* name = call.parent.is_object() ? call.parent.get_object().if_contains("name") : nullptr;
    if (!name || !name->is_string()) return done(json::value(nullptr));
    std::string s(name->get_string());
    const json::value* upper = call.args.if_contains("upper");
    if (upper && upper->is_bool() && upper->get_bool())
      std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    done(json::value(s));
  });
  r.on("Mutation", "increment", [](const FieldCall& call, Completion done) {
    auto* ctx = static_cast<Context*>(call.context);
    ctx->counter += call.args.at("by").as_int64();
    done(json::value(ctx->counter));
  });
  r.on("Mutation", "accountsLogout", [](const FieldCall&, Completion done) { done(json::value(true)); });
  auto session = [](const FieldCall& call, Completion done) {
    json::value email = call.args.at("email");
    std::string csrf = "csrf-" + std::string(email.get_string());
    done(json::value(json::object{{"account", json::object{{"id", "u1"}, {"email", email}}}, {"csrfToken", csrf}}));
  };
  r.on("Mutation", "accountsRegister", session);
  r.on("Mutation", "accountsLogin", session);
  r.on("Mutation", "socketTicket", [](const FieldCall&, Completion done) {
    done(json::value(json::object{
        {"ticket", "t1"}, {"expiresIn", 10}, {"socketUrl", "ws://127.0.0.1:4000/socket/websocket"}}));
  });
  return r;
}

// Only what the contract compares: message, locations, path.
json::value trimErrors(const json::value& errors) {
  json::array out;
  for (const auto& e : errors.get_array()) {
    json::object o;
    for (const char* key : {"message", "locations", "path"})
      if (const auto* v = e.get_object().if_contains(key)) o[key] = *v;
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: graphql_conformance_runner schema.graphql root.json < cases.json\n";
    return 2;
  }
  try {
    auto schema = Schema::fromSdl(readFile(argv[1]));
    if (!schema) {
      for (const auto& e : schema.error()) std::cerr << "schema: " << e.message << "\n";
      return 1;
    }
    json::value root = json::parse(readFile(argv[2]));
    Engine engine(*schema, conformanceResolvers(root));
    json::value cases = json::parse(readAll(std::cin));
    std::string out = "[";
    bool first = true;
    for (const auto& c : cases.as_array()) {
      const auto& o = c.as_object();
      json::object response;
      std::string query(o.at("query").as_string());
      auto prepared = engine.prepare(std::move(query));
      if (!prepared) {
        response = errorResponse(prepared.error());
      } else {
        Context ctx;
        ExecuteOptions options;
        const json::value* name = o.if_contains("operationName");
        if (name && name->is_string()) options.operation_name = name->get_string();
        const json::value* vars = o.if_contains("variables");
        if (vars && vars->is_object()) options.variables = &vars->get_object();
        options.root = root;
        options.context = &ctx;
        engine.execute(*prepared, std::move(options), [&](json::object r) { response = std::move(r); });
      }
      json::object result;
      if (const auto* e = response.if_contains("errors")) result["errors"] = trimErrors(*e);
      if (const auto* d = response.if_contains("data")) result["data"] = *d;
      if (!first) out += ",\n";
      first = false;
      out += toJsonText(result);
    }
    std::cout << out << "]\n";
  } catch (const std::exception& e) {
    std::cerr << "graphql_conformance_runner: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
