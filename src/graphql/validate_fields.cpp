// The rules that need the type at each point of the document, in one walk per definition:
// FieldsOnCorrectType, ScalarLeafs, KnownArgumentNames, UniqueArgumentNames,
// ProvidedRequiredArguments, KnownTypeNames, FragmentsOnCompositeTypes,
// PossibleFragmentSpreads, KnownFragmentNames, KnownDirectives, directives in valid
// locations, UniqueDirectivesPerLocation, ValuesOfCorrectType (with input object field
// names, uniqueness and required fields), VariablesAreInputTypes, and
// MaxIntrospectionDepth (graphql-js's recommended rule, so both reject the same documents).
#include "graphql/validation_context.hpp"

#include <charconv>
#include <cmath>

namespace sg::graphql::validation {

namespace {

using ast::ValueKind;

std::string quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

class Walker {
 public:
  Walker(Context& cx, DefinitionInfo& info) : cx_(cx), schema_(cx.schema), info_(info) {}

  void directives(const std::vector<ast::Directive>& list, DirectiveLocation where, std::string_view where_name) {
    for (std::size_t i = 0; i < list.size(); ++i) {
      const auto& d = list[i];
      const DirectiveDef* def = schema_.directive(d.name);
      if (!def) {
        cx_.report("Unknown directive \"@" + std::string(d.name) + "\".", {d.loc});
        arguments(d.arguments, nullptr, "directive \"@" + std::string(d.name) + "\"", d.loc);
        continue;
      }
      if (!(def->location_mask & where))
        cx_.report("Directive \"@" + std::string(d.name) + "\" may not be used on " + std::string(where_name) + ".",
                   {d.loc});
      if (!def->repeatable)
        for (std::size_t j = 0; j < i; ++j)
          if (list[j].name == d.name) {
            cx_.report("The directive \"@" + std::string(d.name) + "\" can only be used once at this location.",
                       {list[j].loc, d.loc});
            break;
          }
      arguments(d.arguments, &def->args, "directive \"@" + std::string(d.name) + "\"", d.loc);
    }
  }

  // Arguments against their definitions (null: unknown field or directive).
  void arguments(const std::vector<ast::Argument>& args, const std::vector<InputValue>* defs, const std::string& owner,
                 Location owner_loc) {
    for (std::size_t i = 0; i < args.size(); ++i) {
      const auto& a = args[i];
      for (std::size_t j = 0; j < i; ++j)
        if (args[j].name == a.name) {
          cx_.report("There can be only one argument named " + quote(a.name) + ".", {args[j].loc, a.loc});
          break;
        }
      const InputValue* def = nullptr;
      if (defs)
        for (const auto& d : *defs)
          if (d.name == a.name) def = &d;
      if (defs && !def) cx_.report("Unknown argument " + quote(a.name) + " on " + owner + ".", {a.loc});
      if (def) value(a.value, def->type, def->default_value.has_value());
      else untypedValue(a.value);
    }
    if (!defs) return;
    for (const auto& d : *defs) {
      if (!d.type.nonNull() || d.default_value) continue;
      bool given = false;
      for (const auto& a : args) given = given || a.name == d.name;
      if (!given)
        cx_.report(owner + " argument " + quote(d.name) + " of type " + quote(ast::toString(d.type)) +
                       " is required, but it was not provided.",
                   {owner_loc});
    }
  }

  void untypedValue(const ast::Value& v) {
    switch (v.kind) {
      case ValueKind::Variable: info_.usages.push_back({v.text, v.loc, std::nullopt, false}); break;
      case ValueKind::List:
        for (const auto& item : v.list) untypedValue(item);
        break;
      case ValueKind::Object:
        uniqueFields(v);
        for (const auto& f : v.fields) untypedValue(f.value);
        break;
      default: break;
    }
  }

  // UniqueInputFieldNames, for all of an object literal's fields at once (a hash set, so a
  // literal with thousands of fields is not quadratic).
  void uniqueFields(const ast::Value& v) {
    std::unordered_map<std::string_view, std::size_t> first;
    for (std::size_t i = 0; i < v.fields.size(); ++i) {
      auto [it, fresh] = first.emplace(v.fields[i].name, i);
      if (!fresh)
        cx_.report("There can be only one input field named " + quote(v.fields[i].name) + ".",
                   {v.fields[it->second].loc, v.fields[i].loc});
    }
  }

  void badValue(const ast::Value& v, TypeView type, std::string detail = {}) {
    cx_.report("Expected value of type " + quote(ast::toString(type)) + ", found a value that does not fit" +
                   (detail.empty() ? std::string(".") : ": " + detail + "."),
               {v.loc});
  }

  // ValuesOfCorrectType for a literal at a position of type `type`.
  void value(const ast::Value& v, TypeView type, bool location_has_default) {
    if (v.kind == ValueKind::Variable) {
      info_.usages.push_back({v.text, v.loc, type, location_has_default});
      return;
    }
    if (type.nonNull()) {
      if (v.kind == ValueKind::Null) {
        cx_.report("Expected value of type " + quote(ast::toString(type)) + ", found null.", {v.loc});
        return;
      }
      value(v, type.inner(), false);
      return;
    }
    if (v.kind == ValueKind::Null) return;
    if (type.list()) {
      if (v.kind == ValueKind::List) {
        for (const auto& item : v.list) value(item, type.inner(), false);
      } else {
        value(v, type.inner(), false);
      }
      return;
    }
    const Type* named = schema_.type(type.name);
    if (!named) {
      untypedValue(v);
      return;
    }
    if (named->kind == TypeKind::InputObject) {
      if (v.kind != ValueKind::Object) {
        badValue(v, type);
        untypedValue(v);
        return;
      }
      uniqueFields(v);
      for (const auto& f : v.fields) {
        const InputValue* def = named->inputField(f.name);
        if (!def) {
          cx_.report("Field " + quote(f.name) + " is not defined by type " + quote(named->name) + ".", {f.loc});
          untypedValue(f.value);
          continue;
        }
        value(f.value, def->type, def->default_value.has_value());
      }
      for (const auto& def : named->input_fields) {
        if (!def.type.nonNull() || def.default_value) continue;
        bool given = false;
        for (const auto& f : v.fields) given = given || f.name == def.name;
        if (!given)
          cx_.report("Field \"" + std::string(named->name) + "." + std::string(def.name) + "\" of required type " +
                         quote(ast::toString(def.type)) + " was not provided.",
                     {v.loc});
      }
      if (named->one_of) {
        std::size_t n = v.fields.size();
        bool has_null = false;
        for (const auto& f : v.fields) has_null = has_null || f.value.kind == ValueKind::Null;
        if (n != 1 || has_null)
          cx_.report("OneOf Input Object " + quote(named->name) + " must specify exactly one non-null key.", {v.loc});
      }
      return;
    }
    if (v.kind == ValueKind::List || v.kind == ValueKind::Object) {
      if (named->kind == TypeKind::Scalar && !named->builtin) {
        untypedValue(v);  // custom scalars take any value
        return;
      }
      badValue(v, type);
      untypedValue(v);
      return;
    }
    if (named->kind == TypeKind::Enum) {
      if (v.kind != ValueKind::Enum || !named->enumValue(v.text))
        badValue(v, type, "Value " + std::string(v.text) + " does not exist in " + quote(named->name) + " enum");
      return;
    }
    if (!named->builtin) return;
    std::string_view n = named->name;
    bool ok = true;
    if (n == "Int") {
      ok = v.kind == ValueKind::Int;
      if (ok) {
        long long i = 0;
        auto [p, ec] = std::from_chars(v.text.data(), v.text.data() + v.text.size(), i);
        ok = ec == std::errc() && p == v.text.data() + v.text.size() && i >= -2147483648LL && i <= 2147483647LL;
      }
    } else if (n == "Float") {
      ok = v.kind == ValueKind::Int || v.kind == ValueKind::Float;
    } else if (n == "String") {
      ok = v.kind == ValueKind::String;
    } else if (n == "Boolean") {
      ok = v.kind == ValueKind::Boolean;
    } else {
      ok = v.kind == ValueKind::String || v.kind == ValueKind::Int;
    }
    if (!ok) badValue(v, type, std::string(n) + " cannot represent " + std::string(v.text));
  }

  void selectionSet(const ast::SelectionSet& set, const Type* parent) {
    for (const auto& sel : set.items) {
      switch (sel.kind) {
        case ast::SelectionKind::Field: field(sel, parent); break;
        case ast::SelectionKind::InlineFragment: {
          directives(sel.directives, kInlineFragment, "INLINE_FRAGMENT");
          const Type* type = parent;
          if (!sel.type_condition.empty()) {
            type = schema_.type(sel.type_condition);
            if (!type) {
              cx_.report("Unknown type " + quote(sel.type_condition) + ".", {sel.loc});
            } else if (!type->isComposite()) {
              cx_.report("Fragment cannot condition on non composite type " + quote(type->name) + ".", {sel.loc});
              type = nullptr;
            } else if (parent && !schema_.overlap(*type, *parent)) {
              cx_.report("Fragment cannot be spread here as objects of type " + quote(parent->name) +
                             " can never be of type " + quote(type->name) + ".",
                         {sel.loc});
            }
          }
          selectionSet(sel.selection_set, type);
          break;
        }
        case ast::SelectionKind::FragmentSpread: {
          directives(sel.directives, kFragmentSpread, "FRAGMENT_SPREAD");
          info_.spreads.push_back(sel.name);
          const ast::FragmentDefinition* frag = cx_.doc.fragment(sel.name);
          if (!frag) {
            cx_.report("Unknown fragment " + quote(sel.name) + ".", {sel.loc});
            break;
          }
          const Type* type = schema_.type(frag->type_condition);
          if (type && type->isComposite() && parent && !schema_.overlap(*type, *parent))
            cx_.report("Fragment " + quote(sel.name) + " cannot be spread here as objects of type " +
                           quote(parent->name) + " can never be of type " + quote(type->name) + ".",
                       {sel.loc});
          break;
        }
      }
    }
  }

  void field(const ast::Selection& sel, const Type* parent) {
    directives(sel.directives, kField, "FIELD");
    const Field* def = nullptr;
    if (parent) {
      if (sel.name == "__typename") def = &schema_.typenameField();
      else if (parent == schema_.rootType(OperationType::Query) && sel.name == "__schema") def = &schema_.schemaField();
      else if (parent == schema_.rootType(OperationType::Query) && sel.name == "__type") def = &schema_.typeField();
      else def = parent->field(sel.name);
      if (!def)
        cx_.report("Cannot query field " + quote(sel.name) + " on type " + quote(parent->name) + ".", {sel.loc});
    }
    arguments(sel.arguments, def ? &def->args : nullptr, "Field " + quote(sel.name), sel.loc);
    const Type* type = def ? def->named : nullptr;
    if (type) {
      if (type->isLeaf() && !sel.selection_set.empty())
        cx_.report("Field " + quote(sel.name) + " must not have a selection since type " +
                       quote(ast::toString(def->type)) + " has no subfields.",
                   {sel.selection_set.loc});
      if (!type->isLeaf() && sel.selection_set.empty())
        cx_.report("Field " + quote(sel.name) + " of type " + quote(ast::toString(def->type)) +
                       " must have a selection of subfields.",
                   {sel.loc});
    }
    if (!sel.selection_set.empty()) selectionSet(sel.selection_set, type && type->isComposite() ? type : nullptr);
    if (def == &schema_.schemaField() || def == &schema_.typeField()) introspectionDepth(sel);
  }

  // MaxIntrospectionDepth: list fields of __Type nested three deep under __schema/__type.
  void introspectionDepth(const ast::Selection& root) {
    std::unordered_map<std::string_view, int> memo;  // fragment -> deepest entry depth known safe
    if (tooDeep(root.selection_set, 0, memo, 0)) cx_.report("Maximum introspection depth exceeded", {root.loc});
  }
  bool tooDeep(const ast::SelectionSet& set, int depth, std::unordered_map<std::string_view, int>& memo, int nesting) {
    if (nesting > 64) return false;
    for (const auto& sel : set.items) {
      if (sel.kind == ast::SelectionKind::FragmentSpread) {
        auto it = memo.find(sel.name);
        if (it != memo.end() && it->second >= depth) continue;
        memo[sel.name] = depth;
        const ast::FragmentDefinition* frag = cx_.doc.fragment(sel.name);
        if (frag && tooDeep(frag->selection_set, depth, memo, nesting + 1)) return true;
        continue;
      }
      int d = depth;
      if (sel.kind == ast::SelectionKind::Field &&
          (sel.name == "fields" || sel.name == "interfaces" || sel.name == "possibleTypes" || sel.name == "inputFields")) {
        if (++d >= 3) return true;
      }
      if (tooDeep(sel.selection_set, d, memo, nesting + 1)) return true;
    }
    return false;
  }

 private:
  Context& cx_;
  const Schema& schema_;
  DefinitionInfo& info_;
};

}  // namespace

void walkOperation(Context& cx, const ast::OperationDefinition& op, DefinitionInfo& info) {
  Walker w(cx, info);
  static constexpr std::pair<DirectiveLocation, std::string_view> kWhere[] = {
      {kQuery, "QUERY"}, {kMutation, "MUTATION"}, {kSubscription, "SUBSCRIPTION"}};
  auto [where, where_name] = kWhere[static_cast<int>(op.operation)];
  w.directives(op.directives, where, where_name);
  for (const auto& v : op.variables) {
    w.directives(v.directives, kVariableDefinition, "VARIABLE_DEFINITION");
    const Type* t = cx.schema.type(v.type.name);
    if (!t) {
      cx.report("Unknown type \"" + std::string(v.type.name) + "\".", {v.type.loc});
    } else if (!t->isInput()) {
      cx.report("Variable \"$" + std::string(v.name) + "\" cannot be non-input type \"" +
                    ast::toString(TypeView::of(v.type)) + "\".",
                {v.type.loc});
    } else if (v.default_value) {
      DefinitionInfo scratch;  // defaults are constant: no variables
      Walker(cx, scratch).value(*v.default_value, TypeView::of(v.type), false);
    }
  }
  const Type* root = cx.schema.rootType(op.operation);
  if (!root)
    cx.report("Schema is not configured to execute " +
                  std::string(op.operation == OperationType::Mutation ? "mutation" : "subscription") + " operation.",
              {op.loc});
  w.selectionSet(op.selection_set, root);
}

void walkFragment(Context& cx, const ast::FragmentDefinition& fragment, DefinitionInfo& info) {
  Walker w(cx, info);
  w.directives(fragment.directives, kFragmentDefinition, "FRAGMENT_DEFINITION");
  const Type* type = cx.schema.type(fragment.type_condition);
  if (!type) {
    cx.report("Unknown type \"" + std::string(fragment.type_condition) + "\".", {fragment.type_condition_loc});
  } else if (!type->isComposite()) {
    cx.report("Fragment \"" + std::string(fragment.name) + "\" cannot condition on non composite type \"" +
                  std::string(type->name) + "\".",
              {fragment.type_condition_loc});
    type = nullptr;
  }
  w.selectionSet(fragment.selection_set, type);
}

bool isInputSubType(TypeView sub, TypeView super) {
  if (sub == super) return true;
  if (super.nonNull()) return sub.nonNull() && isInputSubType(sub.inner(), super.inner());
  if (sub.nonNull()) return isInputSubType(sub.inner(), super);
  if (super.list()) return sub.list() && isInputSubType(sub.inner(), super.inner());
  if (sub.list()) return false;
  return sub.name == super.name;
}

}  // namespace sg::graphql::validation
