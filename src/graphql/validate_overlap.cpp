// OverlappingFieldsCanBeMerged (spec §5.3.2): fields of one response key must be the same
// field with the same arguments (unless their parents are distinct object types) and of
// shapes that merge, recursively through their subselections. The comparison is pairwise,
// which hostile documents turn quadratic or worse; every pair compared and every field
// collected is paid from Limits::max_overlap_comparisons, and a document that spends it
// all is refused as too complex rather than checked for minutes.
#include "graphql/validation_context.hpp"

#include <algorithm>

namespace sg::graphql::validation {

namespace {

struct Entry {
  const Type* parent;
  const ast::Selection* node;
  const Field* def;
};

struct FieldMap {
  std::vector<std::pair<std::string_view, std::vector<Entry>>> keys;
  std::unordered_map<std::string_view, std::size_t> index;

  void add(std::string_view key, Entry e) {
    auto [it, fresh] = index.emplace(key, keys.size());
    if (fresh) keys.push_back({key, {e}});
    else keys[it->second].second.push_back(e);
  }
  const std::vector<Entry>* find(std::string_view key) const {
    auto it = index.find(key);
    return it == index.end() ? nullptr : &keys[it->second].second;
  }
};

bool sameValue(const ast::Value& a, const ast::Value& b) {
  if (a.kind != b.kind || a.text != b.text || a.boolean != b.boolean) return false;
  if (a.list.size() != b.list.size() || a.fields.size() != b.fields.size()) return false;
  for (std::size_t i = 0; i < a.list.size(); ++i)
    if (!sameValue(a.list[i], b.list[i])) return false;
  // Input object fields in any order (graphql-js compares them sorted by name).
  for (const auto& f : a.fields) {
    auto it = std::find_if(b.fields.begin(), b.fields.end(), [&](const ast::ObjectField& g) { return g.name == f.name; });
    if (it == b.fields.end() || !sameValue(f.value, it->value)) return false;
  }
  return true;
}

bool sameArguments(const std::vector<ast::Argument>& a, const std::vector<ast::Argument>& b) {
  if (a.size() != b.size()) return false;
  for (const auto& x : a) {
    auto it = std::find_if(b.begin(), b.end(), [&](const ast::Argument& y) { return y.name == x.name; });
    if (it == b.end() || !sameValue(x.value, it->value)) return false;
  }
  return true;
}

class Overlap {
 public:
  Overlap(Context& cx) : cx_(cx), schema_(cx.schema), budget_(cx.limits.max_overlap_comparisons) {}

  bool exhausted() const { return exhausted_; }

  void visitSet(const ast::SelectionSet& set, const Type* parent) {
    if (exhausted_ || cx_.full()) return;
    within(set, parent);
    for (const auto& sel : set.items) {
      if (sel.kind == ast::SelectionKind::Field) {
        if (sel.selection_set.empty()) continue;
        const Field* def = lookup(parent, sel.name);
        const Type* t = def ? def->named : nullptr;
        visitSet(sel.selection_set, t && t->isComposite() ? t : nullptr);
      } else if (sel.kind == ast::SelectionKind::InlineFragment) {
        visitSet(sel.selection_set, sel.type_condition.empty() ? parent : schema_.type(sel.type_condition));
      }
    }
  }

 private:
  bool spend(std::size_t n = 1) {
    if (budget_ < n) {
      exhausted_ = true;
      budget_ = 0;
      return false;
    }
    budget_ -= n;
    return true;
  }

  const Field* lookup(const Type* parent, std::string_view name) const {
    if (!parent) return nullptr;
    if (name == "__typename") return &schema_.typenameField();
    if (parent == schema_.rootType(OperationType::Query)) {
      if (name == "__schema") return &schema_.schemaField();
      if (name == "__type") return &schema_.typeField();
    }
    return parent->field(name);
  }

  void collect(const Type* parent, const ast::SelectionSet& set, FieldMap& out,
               std::vector<std::string_view>& visited) {
    if (!spend(set.items.size())) return;
    for (const auto& sel : set.items) {
      switch (sel.kind) {
        case ast::SelectionKind::Field: out.add(sel.responseKey(), {parent, &sel, lookup(parent, sel.name)}); break;
        case ast::SelectionKind::InlineFragment:
          collect(sel.type_condition.empty() ? parent : schema_.type(sel.type_condition), sel.selection_set, out,
                  visited);
          break;
        case ast::SelectionKind::FragmentSpread: {
          if (std::find(visited.begin(), visited.end(), sel.name) != visited.end()) break;
          visited.push_back(sel.name);
          if (const auto* frag = cx_.doc.fragment(sel.name))
            collect(schema_.type(frag->type_condition), frag->selection_set, out, visited);
          break;
        }
      }
      if (exhausted_) return;
    }
  }

  // Whether two selections are written alike (same fields, arguments, directives and
  // subselections, recursively). Alike fields merge with the same fields, so only one of
  // each alike group takes part in the pairwise comparison: a document repeating one field
  // five hundred times costs five hundred of these, not 125 000 pair checks.
  bool alike(const ast::Selection& a, const ast::Selection& b) {
    if (!spend(1 + a.arguments.size())) return false;
    if (a.kind != b.kind || a.alias != b.alias || a.name != b.name || a.type_condition != b.type_condition ||
        a.arguments.size() != b.arguments.size() || a.directives.size() != b.directives.size() ||
        a.selection_set.items.size() != b.selection_set.items.size())
      return false;
    if (!sameArguments(a.arguments, b.arguments)) return false;
    for (std::size_t i = 0; i < a.directives.size(); ++i)
      if (a.directives[i].name != b.directives[i].name || !sameArguments(a.directives[i].arguments, b.directives[i].arguments))
        return false;
    for (std::size_t i = 0; i < a.selection_set.items.size(); ++i)
      if (!alike(a.selection_set.items[i], b.selection_set.items[i])) return false;
    return true;
  }

  // One entry per group of alike entries (same parent type, alike selection).
  std::vector<Entry> distinct(const std::vector<Entry>& list) {
    std::vector<Entry> out;
    for (const auto& e : list) {
      bool seen = false;
      for (const auto& r : out) {
        if (r.parent == e.parent && (r.node == e.node || alike(*r.node, *e.node))) {
          seen = true;
          break;
        }
        if (exhausted_) return out;
      }
      if (!seen) out.push_back(e);
    }
    return out;
  }

  static bool typesConflict(TypeView a, TypeView b, const Schema& schema) {
    if (a.list()) return b.list() ? typesConflict(a.inner(), b.inner(), schema) : true;
    if (b.list()) return true;
    if (a.nonNull()) return b.nonNull() ? typesConflict(a.inner(), b.inner(), schema) : true;
    if (b.nonNull()) return true;
    const Type* ta = schema.type(a.name);
    const Type* tb = schema.type(b.name);
    if ((ta && ta->isLeaf()) || (tb && tb->isLeaf())) return ta != tb;
    return false;
  }

  bool conflict(const Entry& a, const Entry& b, bool exclusive) {
    if (!spend(1 + a.node->arguments.size())) return false;
    if (a.node == b.node && a.parent == b.parent) return false;
    bool mutually = exclusive || (a.parent != b.parent && a.parent && b.parent && a.parent->kind == TypeKind::Object &&
                                  b.parent->kind == TypeKind::Object);
    if (!mutually) {
      if (a.node->name != b.node->name) return true;
      if (!sameArguments(a.node->arguments, b.node->arguments)) return true;
    }
    if (a.def && b.def && typesConflict(a.def->type, b.def->type, schema_)) return true;
    if (a.node->selection_set.empty() || b.node->selection_set.empty()) return false;
    FieldMap ma, mb;
    std::vector<std::string_view> va, vb;
    collect(a.def ? a.def->named : nullptr, a.node->selection_set, ma, va);
    collect(b.def ? b.def->named : nullptr, b.node->selection_set, mb, vb);
    for (const auto& [key, all] : ma.keys) {
      const auto* other_all = mb.find(key);
      if (!other_all) continue;
      std::vector<Entry> list = distinct(all);
      std::vector<Entry> other = distinct(*other_all);
      for (const auto& x : list)
        for (const auto& y : other) {
          if (exhausted_) return false;
          if (conflict(x, y, mutually)) return true;
        }
    }
    return false;
  }

  void within(const ast::SelectionSet& set, const Type* parent) {
    FieldMap map;
    std::vector<std::string_view> visited;
    collect(parent, set, map, visited);
    for (const auto& [key, all] : map.keys) {
      std::vector<Entry> list = distinct(all);
      bool reported = false;
      for (std::size_t i = 0; i < list.size() && !reported; ++i)
        for (std::size_t j = i + 1; j < list.size() && !reported; ++j) {
          if (exhausted_) return;
          if (conflict(list[i], list[j], false)) {
            cx_.report("Fields \"" + std::string(key) +
                           "\" conflict because they are different fields, take different arguments or return "
                           "types that do not merge. Use different aliases on the fields to fetch both if this "
                           "was intentional.",
                       {list[i].node->loc, list[j].node->loc});
            reported = true;
          }
        }
    }
  }

  Context& cx_;
  const Schema& schema_;
  std::size_t budget_;
  bool exhausted_ = false;
};

}  // namespace

void checkOverlappingFields(Context& cx) {
  Overlap overlap(cx);
  for (const auto& op : cx.doc.operations) overlap.visitSet(op.selection_set, cx.schema.rootType(op.operation));
  for (const auto& f : cx.doc.fragments) {
    const Type* t = cx.schema.type(f.type_condition);
    overlap.visitSet(f.selection_set, t && t->isComposite() ? t : nullptr);
  }
  if (overlap.exhausted())
    cx.report("The document is too complex to validate: its fields overlap in too many ways.", {});
}

}  // namespace sg::graphql::validation
