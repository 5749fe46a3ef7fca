#include "graphql/introspection.hpp"

#include "graphql/values.hpp"

namespace sg::graphql::introspection {

namespace json = boost::json;

namespace {

json::string_view js(std::string_view s) { return {s.data(), s.size()}; }
json::value optionalString(const std::optional<std::string_view>& s) {
  return s ? json::value(js(*s)) : json::value(nullptr);
}

// A __Type: {"$type": name, "$wrap": wrappers}.
json::value marker(TypeView t) {
  return json::object{{"$type", js(t.name)}, {"$wrap", js(t.wrappers)}};
}

json::value inputValue(const Schema& schema, const InputValue& v) {
  json::object o;
  o["name"] = js(v.name);
  o["description"] = optionalString(v.description);
  o["type"] = marker(v.type);
  json::value dflt = nullptr;
  if (v.default_value)
    if (auto printed = printLiteral(schema, *v.default_value, v.type)) dflt = json::value(*printed);
  o["defaultValue"] = std::move(dflt);
  o["isDeprecated"] = v.deprecation_reason.has_value();
  o["deprecationReason"] = optionalString(v.deprecation_reason);
  return o;
}

json::array inputValues(const Schema& schema, const std::vector<InputValue>& values, bool include_deprecated) {
  json::array out;
  for (const auto& v : values)
    if (include_deprecated || !v.deprecation_reason) out.push_back(inputValue(schema, v));
  return out;
}

bool includeDeprecated(const json::object& args) {
  const json::value* v = args.if_contains("includeDeprecated");
  return v && v->is_bool() && v->get_bool();
}

json::value field(const Schema& schema, const Field& f) {
  json::object o;
  o["name"] = js(f.name);
  o["description"] = optionalString(f.description);
  o["$args"] = inputValues(schema, f.args, true);
  o["type"] = marker(f.type);
  o["isDeprecated"] = f.deprecation_reason.has_value();
  o["deprecationReason"] = optionalString(f.deprecation_reason);
  return o;
}

json::value directive(const Schema& schema, const DirectiveDef& d) {
  json::object o;
  o["name"] = js(d.name);
  o["description"] = optionalString(d.description);
  o["isRepeatable"] = d.repeatable;
  json::array locations;
  for (auto l : d.locations) locations.push_back(js(l));
  o["locations"] = std::move(locations);
  o["$args"] = inputValues(schema, d.args, true);
  o["isDeprecated"] = false;
  o["deprecationReason"] = nullptr;
  return o;
}

std::string_view kindName(TypeKind k) {
  switch (k) {
    case TypeKind::Scalar: return "SCALAR";
    case TypeKind::Object: return "OBJECT";
    case TypeKind::Interface: return "INTERFACE";
    case TypeKind::Union: return "UNION";
    case TypeKind::Enum: return "ENUM";
    case TypeKind::InputObject: return "INPUT_OBJECT";
  }
  return "SCALAR";
}

json::value typeField(const Schema& schema, std::string_view name, const json::value& parent,
                      const json::object& args) {
  const json::object& o = parent.get_object();
  TypeView t{std::string_view(o.at("$type").get_string()), std::string_view(o.at("$wrap").get_string())};
  if (!t.named()) {
    if (name == "kind") return json::value(t.nonNull() ? "NON_NULL" : "LIST");
    if (name == "ofType") return marker(t.inner());
    return nullptr;
  }
  const Type* type = schema.type(t.name);
  if (!type) return nullptr;
  bool deprecated = includeDeprecated(args);
  if (name == "kind") return json::value(js(kindName(type->kind)));
  if (name == "name") return json::value(js(type->name));
  if (name == "description") return optionalString(type->description);
  if (name == "specifiedByURL") return optionalString(type->specified_by_url);
  if (name == "fields") {
    if (type->kind != TypeKind::Object && type->kind != TypeKind::Interface) return nullptr;
    json::array out;
    for (const auto& f : type->fields)
      if (deprecated || !f.deprecation_reason) out.push_back(field(schema, f));
    return out;
  }
  if (name == "interfaces") {
    if (type->kind != TypeKind::Object && type->kind != TypeKind::Interface) return nullptr;
    json::array out;
    for (const Type* i : type->interfaces) out.push_back(marker({i->name, {}}));
    return out;
  }
  if (name == "possibleTypes") {
    if (!type->isAbstract()) return nullptr;
    json::array out;
    for (const Type* p : type->possible_types) out.push_back(marker({p->name, {}}));
    return out;
  }
  if (name == "enumValues") {
    if (type->kind != TypeKind::Enum) return nullptr;
    json::array out;
    for (const auto& v : type->enum_values)
      if (deprecated || !v.deprecation_reason)
        out.push_back(json::object{{"name", js(v.name)},
                                   {"description", optionalString(v.description)},
                                   {"isDeprecated", v.deprecation_reason.has_value()},
                                   {"deprecationReason", optionalString(v.deprecation_reason)}});
    return out;
  }
  if (name == "inputFields") {
    if (type->kind != TypeKind::InputObject) return nullptr;
    return inputValues(schema, type->input_fields, deprecated);
  }
  if (name == "isOneOf") {
    if (type->kind != TypeKind::InputObject) return nullptr;
    return json::value(type->one_of);
  }
  return nullptr;  // ofType of a named type
}

}  // namespace

json::value schemaValue() { return json::object{}; }

json::value typeValue(const Schema& schema, std::string_view name) {
  const Type* t = schema.type(name);
  return t ? marker({t->name, {}}) : json::value(nullptr);
}

FieldResult resolve(const Schema& schema, const Type& parent_type, const Field& f, const json::value& parent,
                    const json::object& args) {
  std::string_view type_name = parent_type.name;
  if (type_name == "__Schema") {
    if (f.name == "description") return optionalString(schema.description());
    if (f.name == "types") {
      json::array out;
      for (const Type* t : schema.types()) out.push_back(marker({t->name, {}}));
      return json::value(std::move(out));
    }
    if (f.name == "queryType" || f.name == "mutationType" || f.name == "subscriptionType") {
      const Type* root = schema.rootType(f.name == "queryType"      ? OperationType::Query
                                         : f.name == "mutationType" ? OperationType::Mutation
                                                                    : OperationType::Subscription);
      return root ? marker({root->name, {}}) : json::value(nullptr);
    }
    if (f.name == "directives") {
      json::array out;
      for (const auto& d : schema.directives()) out.push_back(directive(schema, d));
      return json::value(std::move(out));
    }
    return json::value(nullptr);
  }
  if (type_name == "__Type") {
    if (!parent.is_object()) return json::value(nullptr);
    return typeField(schema, f.name, parent, args);
  }
  // __Field and __Directive args: filtered by includeDeprecated; the rest are plain JSON.
  if (!parent.is_object()) return json::value(nullptr);
  const json::object& o = parent.get_object();
  if (f.name == "args" && o.contains("$args")) {
    bool deprecated = includeDeprecated(args);
    json::array out;
    for (const auto& a : o.at("$args").get_array())
      if (deprecated || !a.at("isDeprecated").get_bool()) out.push_back(a);
    return json::value(std::move(out));
  }
  const json::value* v = o.if_contains(js(f.name));
  return v ? *v : json::value(nullptr);
}

}  // namespace sg::graphql::introspection
