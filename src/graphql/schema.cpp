#include "graphql/schema.hpp"

#include "graphql/builtins.hpp"
#include "graphql/parser.hpp"
#include "graphql/values.hpp"

#include <algorithm>
#include <unordered_set>

namespace sg::graphql {

std::string ast::toString(TypeView t) {
  if (t.named()) return std::string(t.name);
  if (t.nonNull()) return toString(t.inner()) + "!";
  return "[" + toString(t.inner()) + "]";
}

const InputValue* Field::arg(std::string_view n) const {
  for (const auto& a : args)
    if (a.name == n) return &a;
  return nullptr;
}

const InputValue* DirectiveDef::arg(std::string_view n) const {
  for (const auto& a : args)
    if (a.name == n) return &a;
  return nullptr;
}

const Field* Type::field(std::string_view n) const {
  for (const auto& f : fields)
    if (f.name == n) return &f;
  return nullptr;
}

const EnumValue* Type::enumValue(std::string_view n) const {
  for (const auto& v : enum_values)
    if (v.name == n) return &v;
  return nullptr;
}

const InputValue* Type::inputField(std::string_view n) const {
  for (const auto& f : input_fields)
    if (f.name == n) return &f;
  return nullptr;
}

std::optional<DirectiveLocation> directiveLocation(std::string_view name) {
  static constexpr std::pair<std::string_view, DirectiveLocation> kNames[] = {
      {"QUERY", kQuery}, {"MUTATION", kMutation}, {"SUBSCRIPTION", kSubscription}, {"FIELD", kField},
      {"FRAGMENT_DEFINITION", kFragmentDefinition}, {"FRAGMENT_SPREAD", kFragmentSpread},
      {"INLINE_FRAGMENT", kInlineFragment}, {"VARIABLE_DEFINITION", kVariableDefinition}, {"SCHEMA", kSchema},
      {"SCALAR", kScalar}, {"OBJECT", kObject}, {"FIELD_DEFINITION", kFieldDefinition},
      {"ARGUMENT_DEFINITION", kArgumentDefinition}, {"INTERFACE", kInterface}, {"UNION", kUnion}, {"ENUM", kEnum},
      {"ENUM_VALUE", kEnumValue}, {"INPUT_OBJECT", kInputObject}, {"INPUT_FIELD_DEFINITION", kInputFieldDefinition}, {"DIRECTIVE_DEFINITION", kDirectiveDefinition},
  };
  for (const auto& [n, loc] : kNames)
    if (n == name) return loc;
  return std::nullopt;
}

const Type* Schema::type(std::string_view name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : it->second;
}

const DirectiveDef* Schema::directive(std::string_view name) const {
  for (const auto& d : directives_)
    if (d.name == name) return &d;
  return nullptr;
}

bool Schema::isPossibleType(const Type& abstract, const Type& object) const {
  if (&abstract == &object) return true;
  return std::find(abstract.possible_types.begin(), abstract.possible_types.end(), &object) !=
         abstract.possible_types.end();
}

bool Schema::isSubType(const Type& super, const Type& sub) const {
  if (&super == &sub) return true;
  if (super.kind == TypeKind::Union) return isPossibleType(super, sub);
  if (super.kind == TypeKind::Interface)
    return std::find(sub.interfaces.begin(), sub.interfaces.end(), &super) != sub.interfaces.end();
  return false;
}

bool Schema::isValidImplementationType(TypeView sub, TypeView super) const {
  if (super.nonNull()) return sub.nonNull() && isValidImplementationType(sub.inner(), super.inner());
  if (sub.nonNull()) return isValidImplementationType(sub.inner(), super);
  if (super.list()) return sub.list() && isValidImplementationType(sub.inner(), super.inner());
  if (sub.list()) return false;
  const Type* a = type(sub.name);
  const Type* b = type(super.name);
  return a && b && isSubType(*b, *a);
}

bool Schema::overlap(const Type& a, const Type& b) const {
  if (&a == &b) return true;
  if (a.isAbstract()) {
    if (b.isAbstract()) {
      for (const Type* t : a.possible_types)
        if (isPossibleType(b, *t)) return true;
      return false;
    }
    return isPossibleType(a, b);
  }
  if (b.isAbstract()) return isPossibleType(b, a);
  return false;
}

namespace {

std::optional<std::string_view> deprecationOf(const std::vector<ast::Directive>& directives) {
  for (const auto& d : directives) {
    if (d.name != "deprecated") continue;
    for (const auto& a : d.arguments)
      if (a.name == "reason" && a.value.kind == ast::ValueKind::String) return a.value.text;
    return std::string_view("No longer supported");
  }
  return std::nullopt;
}

Error schemaError(std::string message, Location loc) { return Error{std::move(message), {loc}, {}, {}}; }

}  // namespace

boost::system::result<std::shared_ptr<const Schema>, Errors> Schema::fromSdl(std::string sdl) {
  std::shared_ptr<Schema> schema(new Schema());
  auto built = schema->build(std::move(sdl));
  if (!built) return built.error();
  return std::shared_ptr<const Schema>(std::move(schema));
}

boost::system::result<void, Errors> Schema::build(std::string sdl) {
  Errors errors;
  auto builtins = parseTypeSystem(std::string(kBuiltinSdl));
  if (!builtins) return Errors{builtins.error()};
  auto user = parseTypeSystem(std::move(sdl));
  if (!user) return Errors{user.error()};
  docs_.push_back(std::move(*builtins));
  docs_.push_back(std::move(*user));
  const ast::TypeSystemDocument& base = *docs_[0];
  const ast::TypeSystemDocument& doc = *docs_[1];

  // Pass 1: every named type, so references can be resolved in any order.
  std::vector<std::pair<const ast::TypeDefinition*, Type*>> defs;
  auto declare = [&](const ast::TypeDefinition& def, bool builtin) {
    if (def.name == "__Meta" && builtin) return;
    if (index_.count(def.name)) {
      // A schema may restate a built-in scalar; anything else twice is an error.
      if (!(def.kind == TypeKind::Scalar && index_[def.name]->builtin))
        errors.push_back(schemaError("There can be only one type named \"" + std::string(def.name) + "\".", def.loc));
      return;
    }
    if (!builtin && def.name.substr(0, 2) == "__")
      errors.push_back(schemaError("Name \"" + std::string(def.name) +
                                       "\" must not begin with \"__\", which is reserved by GraphQL introspection.",
                                   def.loc));
    auto& t = storage_.emplace_back(std::make_unique<Type>());
    t->kind = def.kind;
    t->name = def.name;
    t->description = def.description;
    t->builtin = builtin && def.kind == TypeKind::Scalar;
    index_.emplace(def.name, t.get());
    defs.emplace_back(&def, t.get());
  };
  for (const auto& def : base.types) declare(def, true);
  for (const auto& def : doc.types) declare(def, false);

  auto checkRef = [&](const ast::TypeRef& ref, bool input) {
    const Type* t = type(ref.name);
    if (!t) {
      errors.push_back(schemaError("Unknown type \"" + std::string(ref.name) + "\".", ref.loc));
      return;
    }
    if (input && !t->isInput())
      errors.push_back(schemaError("The type \"" + std::string(ref.name) + "\" is not an input type.", ref.loc));
    if (!input && !t->isOutput())
      errors.push_back(schemaError("The type \"" + std::string(ref.name) + "\" is not an output type.", ref.loc));
  };
  auto inputValues = [&](const std::vector<ast::InputValueDefinition>& in, std::vector<InputValue>& out) {
    for (const auto& a : in) {
      checkRef(a.type, true);
      out.push_back(InputValue{a.name, a.description, TypeView::of(a.type), type(a.type.name), std::nullopt,
                               deprecationOf(a.directives)});
    }
  };

  // Pass 2: members.
  for (auto [def, t] : defs) {
    for (auto name : def->interfaces) {
      const Type* i = type(name);
      if (!i || i->kind != TypeKind::Interface) {
        errors.push_back(schemaError("Type \"" + std::string(def->name) + "\" must only implement Interface types, it cannot implement " + std::string(name) + ".", def->loc));
        continue;
      }
      t->interfaces.push_back(i);
    }
    for (const auto& f : def->fields) {
      checkRef(f.type, false);
      Field field{f.name, f.description, {}, TypeView::of(f.type), deprecationOf(f.directives), type(f.type.name)};
      inputValues(f.arguments, field.args);
      t->fields.push_back(std::move(field));
    }
    for (auto name : def->members) {
      const Type* m = type(name);
      if (!m || m->kind != TypeKind::Object) {
        errors.push_back(schemaError("Union type \"" + std::string(def->name) + "\" can only include Object types, it cannot include " + std::string(name) + ".", def->loc));
        continue;
      }
      t->possible_types.push_back(m);
    }
    for (const auto& v : def->values) t->enum_values.push_back(EnumValue{v.name, v.description, deprecationOf(v.directives)});
    inputValues(def->input_fields, t->input_fields);
    for (const auto& d : def->directives) {
      if (d.name == "specifiedBy")
        for (const auto& a : d.arguments)
          if (a.name == "url" && a.value.kind == ast::ValueKind::String) t->specified_by_url = a.value.text;
      if (d.name == "oneOf") t->one_of = true;
    }
    if ((def->kind == TypeKind::Object || def->kind == TypeKind::Interface) && def->fields.empty())
      errors.push_back(schemaError("Type " + std::string(def->name) + " must define one or more fields.", def->loc));
  }
  // Implementations (§3.6 IsValidImplementation): every field of each interface, with a
  // type that fits and the same arguments, and the interface's own interfaces.
  for (auto [def, t] : defs) {
    for (const Type* i : t->interfaces) {
      auto bad = [&](const std::string& why) {
        errors.push_back(schemaError("Type " + std::string(t->name) + " does not implement " +
                                         std::string(i->name) + " correctly: " + why + ".",
                                     def->loc));
      };
      for (const Type* inherited : i->interfaces)
        if (std::find(t->interfaces.begin(), t->interfaces.end(), inherited) == t->interfaces.end())
          bad("it must also implement " + std::string(inherited->name));
      for (const auto& f : i->fields) {
        const Field* own = t->field(f.name);
        if (!own) {
          bad("field " + std::string(f.name) + " is missing");
          continue;
        }
        if (!isValidImplementationType(own->type, f.type)) bad("field " + std::string(f.name) + " has a type that does not fit");
        for (const auto& a : f.args) {
          const InputValue* mine = own->arg(a.name);
          if (!mine || mine->type != a.type) bad("argument " + std::string(f.name) + "(" + std::string(a.name) + ") differs");
        }
        for (const auto& a : own->args)
          if (!f.arg(a.name) && a.type.nonNull() && !a.default_value)
            bad("argument " + std::string(f.name) + "(" + std::string(a.name) + ") must not be required");
      }
    }
  }
  // Interfaces learn their implementations, in the order the types were defined.
  for (auto [def, t] : defs)
    if (t->kind == TypeKind::Object)
      for (const Type* i : t->interfaces) const_cast<Type*>(i)->possible_types.push_back(t);

  // The meta fields live on the built-in document's __Meta type.
  for (const auto& def : base.types) {
    if (def.name != "__Meta") continue;
    for (const auto& f : def.fields) {
      Field field{f.name, f.description, {}, TypeView::of(f.type), std::nullopt, type(f.type.name)};
      inputValues(f.arguments, field.args);
      meta_fields_.push_back(std::move(field));
    }
  }
  intro_schema_ = type("__Schema");
  intro_type_ = type("__Type");

  // Directives: the document's, then the specified ones it does not redefine (graphql-js's order).
  auto addDirective = [&](const ast::DirectiveDefinition& d) {
    DirectiveDef def{d.name, d.description, {}, {}, 0, d.repeatable};
    inputValues(d.arguments, def.args);
    for (auto loc : d.locations) {
      auto l = directiveLocation(loc);
      if (!l) {
        errors.push_back(schemaError("Unknown directive location \"" + std::string(loc) + "\".", d.loc));
        continue;
      }
      def.locations.push_back(loc);
      def.location_mask |= *l;
    }
    directives_.push_back(std::move(def));
  };
  for (const auto& d : doc.directives) {
    if (directive(d.name)) {
      errors.push_back(schemaError("There can be only one directive named \"@" + std::string(d.name) + "\".", d.loc));
      continue;
    }
    addDirective(d);
  }
  for (const auto& d : base.directives)
    if (!directive(d.name)) addDirective(d);

  // Roots.
  static constexpr std::string_view kDefaultRoots[] = {"Query", "Mutation", "Subscription"};
  if (doc.schema) {
    description_ = doc.schema->description;
    for (auto [op, name] : doc.schema->roots) {
      const Type* t = type(name);
      if (!t || t->kind != TypeKind::Object)
        errors.push_back(schemaError("Root type \"" + std::string(name) + "\" must be an object type.", doc.schema->loc));
      else
        roots_[static_cast<int>(op)] = t;
    }
  } else {
    for (int i = 0; i < 3; ++i) {
      const Type* t = type(kDefaultRoots[i]);
      if (t && t->kind == TypeKind::Object) roots_[i] = t;
    }
  }
  if (!roots_[0]) errors.push_back(schemaError("Query root type must be provided.", {}));
  if (!errors.empty()) return errors;

  // Defaults, now that every type is known (an input default may name enum values).
  auto coerceDefaults = [&](const std::vector<ast::InputValueDefinition>& in, std::vector<InputValue>& out) {
    for (std::size_t i = 0; i < in.size(); ++i) {
      if (!in[i].default_value) continue;
      auto v = valueFromAst(*this, *in[i].default_value, out[i].type, nullptr);
      if (!v) {
        errors.push_back(schemaError("Invalid default value for \"" + std::string(in[i].name) + "\".", in[i].loc));
        continue;
      }
      out[i].default_value = std::move(*v);
    }
  };
  // Input objects first: their fields' defaults feed the defaults of arguments that use them.
  // (Nested input defaults resolve in dependency order only when declared first; fine for SDL
  // schemas, which rarely nest defaulted input objects.)
  for (int round = 0; round < 2; ++round) {
    for (auto [def, t] : defs) {
      if (round == 0 && def->kind == TypeKind::InputObject) coerceDefaults(def->input_fields, t->input_fields);
      if (round == 1)
        for (std::size_t i = 0; i < def->fields.size(); ++i) coerceDefaults(def->fields[i].arguments, t->fields[i].args);
    }
  }
  for (const auto& def : base.types)
    if (def.name == "__Meta")
      for (std::size_t f = 0; f < def.fields.size(); ++f) coerceDefaults(def.fields[f].arguments, meta_fields_[f].args);
  for (auto& dd : directives_) {
    for (const auto* list : {&doc.directives, &base.directives}) {
      auto it = std::find_if(list->begin(), list->end(), [&](const auto& d) { return d.name == dd.name; });
      if (it != list->end()) {
        coerceDefaults(it->arguments, dd.args);
        break;
      }
    }
  }
  if (!errors.empty()) return errors;

  // Introspection order: graphql-js's GraphQLSchema collects the document's types in order,
  // each followed by the not yet seen types it references (here: built-in scalars), then
  // what the directives' arguments reference, then __Schema and the types it references.
  std::vector<const Type*> order;
  std::unordered_set<const Type*> seen;
  std::vector<const Type*> pending;  // the document's types not collected yet
  for (auto [def, t] : defs)
    if (!t->builtin && def->name.substr(0, 2) != "__") pending.push_back(t);
  std::unordered_set<const Type*> in_pending(pending.begin(), pending.end());
  auto collect = [&](auto&& self, const Type* t) -> void {
    if (seen.count(t) || in_pending.count(t)) return;
    seen.insert(t);
    order.push_back(t);
    auto ref = [&](TypeView v) {
      if (const Type* r = type(v.name)) self(self, r);
    };
    if (t->kind == TypeKind::Union) {
      for (const Type* m : t->possible_types) self(self, m);
    } else if (t->kind == TypeKind::Object || t->kind == TypeKind::Interface) {
      for (const Type* i : t->interfaces) self(self, i);
      for (const auto& f : t->fields) {
        ref(f.type);
        for (const auto& a : f.args) ref(a.type);
      }
    } else if (t->kind == TypeKind::InputObject) {
      for (const auto& f : t->input_fields) ref(f.type);
    }
  };
  for (const Type* t : pending) {
    in_pending.erase(t);
    collect(collect, t);
  }
  for (const Type* r : roots_)
    if (r) collect(collect, r);
  for (const auto& d : directives_)
    for (const auto& a : d.args)
      if (const Type* r = type(a.type.name)) collect(collect, r);
  collect(collect, intro_schema_);
  ordered_ = std::move(order);
  return {};
}

}  // namespace sg::graphql
