// The document-level rules of spec §5 (operations, fragments, variables) and the cost
// bounds; the typed rules are in validate_fields.cpp, field merging in validate_overlap.cpp.
#include "graphql/validation.hpp"

#include "graphql/execution_internal.hpp"
#include "graphql/validation_context.hpp"

#include <algorithm>
#include <unordered_set>

namespace sg::graphql {

using namespace validation;

namespace {

std::string operationLabel(const ast::OperationDefinition& op) {
  return op.name.empty() ? std::string("the anonymous operation") : "operation \"" + std::string(op.name) + "\"";
}

void checkOperations(Context& cx) {
  const auto& ops = cx.doc.operations;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (ops[i].name.empty()) {
      if (ops.size() > 1) cx.report("This anonymous operation must be the only defined operation.", {ops[i].loc});
      continue;
    }
    for (std::size_t j = 0; j < i; ++j)
      if (ops[j].name == ops[i].name) {
        cx.report("There can be only one operation named \"" + std::string(ops[i].name) + "\".",
                  {ops[j].loc, ops[i].loc});
        break;
      }
  }
  // Subscriptions select exactly one root field, and not an introspection one.
  for (const auto& op : ops) {
    if (op.operation != OperationType::Subscription) continue;
    const Type* root = cx.schema.rootType(OperationType::Subscription);
    if (!root) continue;
    static const boost::json::object kNoVariables;
    FieldGroups groups = collectFields(cx.schema, cx.doc, *root, {&op.selection_set}, kNoVariables);
    std::string label = op.name.empty() ? std::string("Anonymous Subscription")
                                        : "Subscription \"" + std::string(op.name) + "\"";
    if (groups.groups.size() > 1) {
      std::vector<Location> locs;
      for (std::size_t i = 1; i < groups.groups.size(); ++i) locs.push_back(groups.groups[i].nodes[0]->loc);
      cx.report(label + " must select only one top level field.", std::move(locs));
    }
    for (const auto& g : groups.groups)
      if (g.nodes[0]->name.substr(0, 2) == "__")
        cx.report(label + " must not select an introspection top level field.", {g.nodes[0]->loc});
  }
}

void checkFragmentNames(Context& cx) {
  const auto& frags = cx.doc.fragments;
  for (std::size_t i = 0; i < frags.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (frags[j].name == frags[i].name) {
        cx.report("There can be only one fragment named \"" + std::string(frags[i].name) + "\".",
                  {frags[j].loc, frags[i].loc});
        break;
      }
}

// Index of the first fragment definition of each name.
std::size_t fragmentIndex(const ast::Document& doc, std::string_view name) {
  const ast::FragmentDefinition* f = doc.fragment(name);
  return f ? static_cast<std::size_t>(f - doc.fragments.data()) : doc.fragments.size();
}

// NoFragmentCycles: a depth-first walk over spreads; returns whether any cycle exists.
bool checkCycles(Context& cx, const std::vector<DefinitionInfo>& frag_info) {
  const auto& frags = cx.doc.fragments;
  enum State : std::uint8_t { kNew, kActive, kDone };
  std::vector<State> state(frags.size(), kNew);
  std::vector<std::size_t> stack;
  bool any = false;
  // Iterative DFS: (fragment, next spread index).
  for (std::size_t start = 0; start < frags.size(); ++start) {
    if (state[start] != kNew || fragmentIndex(cx.doc, frags[start].name) != start) continue;
    std::vector<std::pair<std::size_t, std::size_t>> work{{start, 0}};
    state[start] = kActive;
    stack.assign(1, start);
    while (!work.empty()) {
      auto& [f, next] = work.back();
      const auto& spreads = frag_info[f].spreads;
      if (next == spreads.size()) {
        state[f] = kDone;
        work.pop_back();
        stack.pop_back();
        continue;
      }
      std::size_t target = fragmentIndex(cx.doc, spreads[next++]);
      if (target == frags.size()) continue;
      if (state[target] == kActive) {
        any = true;
        std::string via;
        auto at = std::find(stack.begin(), stack.end(), target);
        for (auto it = at + 1; it != stack.end(); ++it)
          via += (via.empty() ? " via " : ", ") + std::string(frags[*it].name);
        cx.report("Cannot spread fragment \"" + std::string(frags[target].name) + "\" within itself" + via + ".",
                  {frags[target].loc});
        continue;
      }
      if (state[target] == kDone) continue;
      state[target] = kActive;
      stack.push_back(target);
      work.emplace_back(target, 0);
    }
  }
  return any;
}

// Fragments reachable from a definition's spreads (each once), in a stable order.
std::vector<std::size_t> reachable(const ast::Document& doc, const DefinitionInfo& from,
                                   const std::vector<DefinitionInfo>& frag_info) {
  std::vector<std::size_t> out;
  std::vector<bool> seen(doc.fragments.size(), false);
  std::vector<std::string_view> todo(from.spreads.rbegin(), from.spreads.rend());
  while (!todo.empty()) {
    std::size_t i = fragmentIndex(doc, todo.back());
    todo.pop_back();
    if (i == doc.fragments.size() || seen[i]) continue;
    seen[i] = true;
    out.push_back(i);
    const auto& s = frag_info[i].spreads;
    todo.insert(todo.end(), s.rbegin(), s.rend());
  }
  return out;
}

void checkVariables(Context& cx, const ast::OperationDefinition& op, const DefinitionInfo& info,
                    const std::vector<DefinitionInfo>& frag_info, const std::vector<std::size_t>& fragments) {
  for (std::size_t i = 0; i < op.variables.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (op.variables[j].name == op.variables[i].name) {
        cx.report("There can be only one variable named \"$" + std::string(op.variables[i].name) + "\".",
                  {op.variables[j].loc, op.variables[i].loc});
        break;
      }
  std::vector<const VariableUsage*> usages;
  for (const auto& u : info.usages) usages.push_back(&u);
  for (std::size_t f : fragments)
    for (const auto& u : frag_info[f].usages) usages.push_back(&u);
  std::unordered_set<std::string_view> used;
  for (const VariableUsage* u : usages) {
    used.insert(u->name);
    const ast::VariableDefinition* def = nullptr;
    for (const auto& v : op.variables)
      if (v.name == u->name) {
        def = &v;
        break;
      }
    if (!def) {
      cx.report("Variable \"$" + std::string(u->name) + "\" is not defined by " + operationLabel(op) + ".",
                {u->loc, op.loc});
      continue;
    }
    if (!u->expected) continue;
    const Type* t = cx.schema.type(def->type.name);
    if (!t || !t->isInput()) continue;
    TypeView var_type = TypeView::of(def->type);
    TypeView location = *u->expected;
    bool allowed;
    if (location.nonNull() && !var_type.nonNull()) {
      bool var_default = def->default_value && def->default_value->kind != ast::ValueKind::Null;
      allowed = (var_default || u->location_has_default) && isInputSubType(var_type, location.inner());
    } else {
      allowed = isInputSubType(var_type, location);
    }
    if (!allowed)
      cx.report("Variable \"$" + std::string(u->name) + "\" of type \"" + ast::toString(var_type) +
                    "\" used in position expecting type \"" + ast::toString(location) + "\".",
                {def->loc, u->loc});
  }
  for (const auto& v : op.variables)
    if (!used.count(v.name))
      cx.report("Variable \"$" + std::string(v.name) + "\" is never used in " + operationLabel(op) + ".", {v.loc});
}

// Fields once fragments are expanded, saturating just above the limit.
class Expansion {
 public:
  Expansion(const ast::Document& doc, std::size_t limit) : doc_(doc), limit_(limit), memo_(doc.fragments.size(), kUnknown) {}

  std::size_t count(const ast::SelectionSet& set, int depth = 0) {
    std::size_t n = 0;
    for (const auto& sel : set.items) {
      switch (sel.kind) {
        case ast::SelectionKind::Field: n = add(n, 1 + count(sel.selection_set, depth)); break;
        case ast::SelectionKind::InlineFragment: n = add(n, count(sel.selection_set, depth)); break;
        case ast::SelectionKind::FragmentSpread: {
          std::size_t i = fragmentIndex(doc_, sel.name);
          if (i == doc_.fragments.size() || depth > 256) break;
          if (memo_[i] == kUnknown) {
            memo_[i] = 0;  // cycles were refused before; this only guards against them
            memo_[i] = count(doc_.fragments[i].selection_set, depth + 1);
          }
          n = add(n, memo_[i]);
          break;
        }
      }
    }
    return n;
  }

 private:
  static constexpr std::size_t kUnknown = static_cast<std::size_t>(-1);
  std::size_t add(std::size_t a, std::size_t b) const { return std::min(a + b, limit_ + 1); }
  const ast::Document& doc_;
  std::size_t limit_;
  std::vector<std::size_t> memo_;
};

}  // namespace

Errors validate(const Schema& schema, const ast::Document& document, const Limits& limits) {
  Context cx{schema, document, limits, {}};
  checkOperations(cx);
  checkFragmentNames(cx);

  std::vector<DefinitionInfo> op_info(document.operations.size());
  std::vector<DefinitionInfo> frag_info(document.fragments.size());
  for (std::size_t i = 0; i < document.operations.size(); ++i) walkOperation(cx, document.operations[i], op_info[i]);
  for (std::size_t i = 0; i < document.fragments.size(); ++i) walkFragment(cx, document.fragments[i], frag_info[i]);

  bool cycles = checkCycles(cx, frag_info);

  std::vector<bool> used(document.fragments.size(), false);
  for (std::size_t i = 0; i < document.operations.size(); ++i) {
    auto fragments = reachable(document, op_info[i], frag_info);
    for (std::size_t f : fragments) used[f] = true;
    checkVariables(cx, document.operations[i], op_info[i], frag_info, fragments);
  }
  for (std::size_t i = 0; i < document.fragments.size(); ++i)
    if (!used[i])
      cx.report("Fragment \"" + std::string(document.fragments[i].name) + "\" is never used.",
                {document.fragments[i].loc});

  if (cycles || !cx.errors.empty()) return std::move(cx.errors);

  Expansion expansion(document, limits.max_expanded_fields);
  for (const auto& op : document.operations)
    if (expansion.count(op.selection_set) > limits.max_expanded_fields) {
      cx.report("The operation selects more than " + std::to_string(limits.max_expanded_fields) +
                    " fields once its fragments are expanded.",
                {op.loc});
      return std::move(cx.errors);
    }
  checkOverlappingFields(cx);
  return std::move(cx.errors);
}

}  // namespace sg::graphql
