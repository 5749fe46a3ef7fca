// Execution (spec §6) in continuation-passing style, so resolvers may complete now or
// later. Each object value being completed is an ObjectJob with one slot per response
// key; each list value a ListJob with one slot per item. A slot receives an Outcome (a
// value, or "failed": an error was recorded and null must propagate to the nearest
// nullable position); when a job's last slot is in, it builds its JSON value, hands it to
// its parent and deletes itself. A job counts one extra "starting" reference so that
// synchronous completions never finish it while it is still starting its slots.
#include "graphql/execution_internal.hpp"

#include "graphql/introspection.hpp"
#include "graphql/validation.hpp"
#include "graphql/values.hpp"
#include "graphql/parser.hpp"

#include <algorithm>
#include <stdexcept>

namespace sg::graphql {

namespace json = boost::json;

json::array ResponsePath::toJson() const {
  std::vector<const ResponsePath*> chain;
  for (const ResponsePath* p = this; p; p = p->parent) chain.push_back(p);
  json::array out;
  out.reserve(chain.size());
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    if ((*it)->is_index) out.push_back(static_cast<std::uint64_t>((*it)->index));
    else out.push_back(json::string_view((*it)->key.data(), (*it)->key.size()));
  }
  return out;
}

namespace detail {

class Completer {
 public:
  virtual ~Completer() = default;
  virtual void complete(std::size_t index, FieldResult result) = 0;
};

}  // namespace detail

Completion::~Completion() {
  if (target_) (*this)(fieldError("The resolver did not complete."));
}

void Completion::operator()(FieldResult result) {
  if (!target_) return;  // called twice: ignored
  detail::Completer* target = std::exchange(target_, nullptr);
  target->complete(index_, std::move(result));
}

namespace {

struct Outcome {
  bool failed = false;
  json::value value;
};

// A value being completed: owned (a resolver's result) or borrowed from the parent's value
// (the default resolver's property, a list's item, a borrowed root), which outlives it: a
// parent job finishes only after its children. Borrowing keeps execution linear in the
// result instead of copying each subtree once per level.
struct Held {
  json::value owned;
  const json::value* borrowed = nullptr;

  static Held own(json::value v) { return Held{std::move(v), nullptr}; }
  static Held borrow(const json::value& v) { return Held{json::value(), &v}; }
  const json::value& get() const { return borrowed ? *borrowed : owned; }
};

class Sink {
 public:
  virtual ~Sink() = default;
  virtual void deliver(std::size_t index, Outcome outcome) = 0;
};

class Execution;

class ObjectJob final : public detail::Completer, public Sink {
 public:
  ObjectJob(Execution& ex, Sink* parent, std::size_t parent_index, const Type& type, Held source,
            const ResponsePath* path, FieldGroups groups, bool serial);
  void start();
  void complete(std::size_t index, FieldResult result) override;
  void deliver(std::size_t index, Outcome outcome) override;

 private:
  struct Slot {
    FieldGroup group;
    const Field* def = nullptr;
    ResponsePath path;
    json::object args;
    json::value value;
  };
  void resolveField(std::size_t i);
  void pump();
  void release();
  void finish();

  Execution& ex_;
  Sink* parent_;
  std::size_t parent_index_;
  const Type& type_;
  Held source_;
  std::vector<Slot> slots_;
  std::size_t pending_ = 1;
  std::size_t next_ = 0;
  bool failed_ = false;
  bool serial_;
  bool in_flight_ = false;
  bool pumping_ = false;
  bool released_ = false;
};

class ListJob final : public Sink {
 public:
  ListJob(Execution& ex, Sink* parent, std::size_t parent_index, TypeView item_type, const Field& def,
          const Type& parent_type, const std::vector<const ast::Selection*>& nodes, Held list,
          const ResponsePath* path);
  void start();
  void deliver(std::size_t index, Outcome outcome) override;

 private:
  void finish();

  Execution& ex_;
  Sink* parent_;
  std::size_t parent_index_;
  TypeView item_type_;
  const Field& def_;
  const Type& parent_type_;
  const std::vector<const ast::Selection*>& nodes_;
  Held list_;
  std::vector<json::value> items_;  // completed values
  std::vector<ResponsePath> paths_;
  std::size_t pending_ = 1;
  bool failed_ = false;
};

class Execution final : public Sink {
 public:
  Execution(const Engine& engine, const Engine::Internals& in, PreparedPtr doc, const ast::OperationDefinition& op,
            json::object variables, void* context, Done done)
      : engine_(engine), in_(in), schema_(engine.schema()), doc_(std::move(doc)), op_(op),
        variables_(std::move(variables)), context_(context), done_(std::move(done)) {}

  void run(Held root) {
    const Type* root_type = schema_.rootType(op_.operation);
    FieldGroups groups = collectFields(schema_, *doc_->document, *root_type, {&op_.selection_set}, variables_);
    auto* job = new ObjectJob(*this, this, 0, *root_type, std::move(root), nullptr, std::move(groups),
                              op_.operation == OperationType::Mutation);
    job->start();
  }

  // The root job's outcome: the response.
  void deliver(std::size_t, Outcome outcome) override {
    json::object response;
    if (!errors_.empty()) response["errors"] = toJson(errors_);
    response["data"] = outcome.failed ? json::value(nullptr) : std::move(outcome.value);
    Done done = std::move(done_);
    delete this;
    done(std::move(response));
  }

  void addError(std::string message, const ast::Selection& node, const ResponsePath* path, json::object ext = {}) {
    errors_.push_back(Error{std::move(message), {node.loc}, path ? path->toJson() : json::array{}, std::move(ext)});
  }

  void completeValue(TypeView type, const Field& def, const Type& parent_type,
                     const std::vector<const ast::Selection*>& nodes, Held held, const ResponsePath* path,
                     Sink* sink, std::size_t index) {
    const json::value& value = held.get();
    if (++completed_ > engine_.limits().max_result_fields) {
      if (completed_ == engine_.limits().max_result_fields + 1)
        addError("The result has more than " + std::to_string(engine_.limits().max_result_fields) + " values.",
                 *nodes[0], path);
      sink->deliver(index, {true, nullptr});
      return;
    }
    TypeView t = type.nullable();
    if (value.is_null()) {
      sink->deliver(index, {false, nullptr});
      return;
    }
    if (t.list()) {
      if (!value.is_array()) {
        addError("Expected Iterable, but did not find one for field \"" + std::string(parent_type.name) + "." +
                     std::string(def.name) + "\".",
                 *nodes[0], path);
        sink->deliver(index, {true, nullptr});
        return;
      }
      auto* job = new ListJob(*this, sink, index, t.inner(), def, parent_type, nodes, std::move(held), path);
      job->start();
      return;
    }
    const Type* named = def.named;  // lists wrap the field's named type
    if (named->isLeaf()) {
      auto serialized = serializeLeaf(*named, value);
      if (!serialized) {
        addError(serialized.error(), *nodes[0], path);
        sink->deliver(index, {true, nullptr});
      } else {
        sink->deliver(index, {false, std::move(*serialized)});
      }
      return;
    }
    const Type* object = named;
    if (named->isAbstract()) {
      object = in_.type_resolver ? in_.type_resolver(schema_, *named, value) : defaultTypeOf(*named, value);
      std::string where = "for field \"" + std::string(parent_type.name) + "." + std::string(def.name) + "\"";
      if (!object) {
        addError("Abstract type \"" + std::string(named->name) + "\" must resolve to an Object type at runtime " +
                     where + ".",
                 *nodes[0], path);
        sink->deliver(index, {true, nullptr});
        return;
      }
      if (object->kind != TypeKind::Object || !schema_.isPossibleType(*named, *object)) {
        addError("Runtime Object type \"" + std::string(object->name) + "\" is not a possible type for \"" +
                     std::string(named->name) + "\".",
                 *nodes[0], path);
        sink->deliver(index, {true, nullptr});
        return;
      }
    }
    std::vector<const ast::SelectionSet*> sets;
    sets.reserve(nodes.size());
    for (const auto* n : nodes)
      if (!n->selection_set.empty()) sets.push_back(&n->selection_set);
    FieldGroups groups = collectFields(schema_, *doc_->document, *object, sets, variables_);
    auto* job = new ObjectJob(*this, sink, index, *object, std::move(held), path, std::move(groups), false);
    job->start();
  }

  const Type* defaultTypeOf(const Type&, const json::value& value) const {
    if (!value.is_object()) return nullptr;
    const json::value* name = value.get_object().if_contains("__typename");
    if (!name || !name->is_string()) return nullptr;
    return schema_.type(std::string_view(name->get_string()));
  }

  const Engine& engine_;
  const Engine::Internals& in_;
  const Schema& schema_;
  PreparedPtr doc_;
  const ast::OperationDefinition& op_;
  json::object variables_;
  void* context_;
  Done done_;
  Errors errors_;
  std::size_t completed_ = 0;
};

// ---- ObjectJob ---------------------------------------------------------------------------

ObjectJob::ObjectJob(Execution& ex, Sink* parent, std::size_t parent_index, const Type& type, Held source,
                     const ResponsePath* path, FieldGroups groups, bool serial)
    : ex_(ex), parent_(parent), parent_index_(parent_index), type_(type), source_(std::move(source)),
      serial_(serial) {
  slots_.reserve(groups.groups.size());
  const Schema& schema = ex.schema_;
  bool is_query_root = &type == schema.rootType(OperationType::Query);
  for (auto& g : groups.groups) {
    std::string_view name = g.nodes[0]->name;
    const Field* def = nullptr;
    if (name == "__typename") def = &schema.typenameField();
    else if (is_query_root && name == "__schema") def = &schema.schemaField();
    else if (is_query_root && name == "__type") def = &schema.typeField();
    else def = type.field(name);
    if (!def) continue;  // not on this type: left out (§6.3, ExecuteSelectionSet)
    Slot& s = slots_.emplace_back();
    s.group = std::move(g);
    s.def = def;
    s.path = ResponsePath{path, s.group.key, 0, false};
  }
}

// Fields start in order; once a non-null field has failed the object is null whatever the
// rest give, so fields not started yet are not started (graphql-js does the same with
// synchronous resolvers, which keeps both engines' error lists alike). Fields already
// running complete and their errors are kept.
void ObjectJob::start() {
  if (serial_) {
    pump();
    return;
  }
  for (std::size_t i = 0; i < slots_.size() && !failed_; ++i) {
    ++pending_;
    resolveField(i);
  }
  release();
}

void ObjectJob::pump() {
  if (pumping_) return;
  pumping_ = true;
  while (!in_flight_ && !failed_ && next_ < slots_.size()) {
    in_flight_ = true;
    ++pending_;
    resolveField(next_++);
  }
  pumping_ = false;
  if (!in_flight_ && (failed_ || next_ == slots_.size())) release();
}

void ObjectJob::release() {
  if (released_) return;
  released_ = true;
  if (--pending_ == 0) finish();
}

void ObjectJob::resolveField(std::size_t i) {
  Slot& s = slots_[i];
  const ast::Selection& node = *s.group.nodes[0];
  const Schema& schema = ex_.schema_;
  if (s.def == &schema.typenameField()) {
    complete(i, json::value(json::string_view(type_.name.data(), type_.name.size())));
    return;
  }
  auto args = coerceArgumentValues(schema, s.def->args, node.arguments, ex_.variables_, node.loc);
  if (!args) {
    ex_.errors_.push_back(args.error());
    ex_.errors_.back().path = s.path.toJson();
    deliver(i, {true, nullptr});
    return;
  }
  s.args = std::move(*args);
  if (s.def == &schema.schemaField()) {
    complete(i, introspection::schemaValue());
    return;
  }
  if (s.def == &schema.typeField()) {
    const json::value* name = s.args.if_contains("name");
    complete(i, introspection::typeValue(schema, name && name->is_string() ? std::string_view(name->get_string())
                                                                            : std::string_view()));
    return;
  }
  if (introspection::isIntrospectionType(type_)) {
    complete(i, introspection::resolve(schema, type_, *s.def, source_.get(), s.args));
    return;
  }
  auto it = ex_.in_.resolvers.find(s.def);
  if (it != ex_.in_.resolvers.end()) {
    FieldCall call{source_.get(), s.args, ex_.context_, s.path, node, *s.def, type_, schema};
    it->second(call, detail::makeCompletion(this, i));
    return;
  }
  // The default resolver: the parent object's property of the field's name.
  static const json::value kNull;
  const json::value* v = &kNull;
  const json::value& source = source_.get();
  if (source.is_object())
    if (const json::value* p = source.get_object().if_contains(json::string_view(s.def->name.data(), s.def->name.size())))
      v = p;
  ex_.completeValue(s.def->type, *s.def, type_, s.group.nodes, Held::borrow(*v), &s.path, this, i);
}

void ObjectJob::complete(std::size_t i, FieldResult result) {
  Slot& s = slots_[i];
  if (result.has_error()) {
    FieldError e = std::move(result).error();
    ex_.addError(std::move(e.message), *s.group.nodes[0], &s.path, std::move(e.extensions));
    deliver(i, {true, nullptr});
    return;
  }
  ex_.completeValue(s.def->type, *s.def, type_, s.group.nodes, Held::own(std::move(*result)), &s.path, this, i);
}

void ObjectJob::deliver(std::size_t i, Outcome outcome) {
  Slot& s = slots_[i];
  bool non_null = s.def->type.nonNull();
  if (outcome.failed) {
    if (non_null) failed_ = true;
    s.value = nullptr;
  } else if (outcome.value.is_null() && non_null) {
    ex_.addError("Cannot return null for non-nullable field " + std::string(type_.name) + "." +
                     std::string(s.def->name) + ".",
                 *s.group.nodes[0], &s.path);
    failed_ = true;
  } else {
    s.value = std::move(outcome.value);
  }
  --pending_;
  if (serial_) {
    in_flight_ = false;
    pump();
  } else if (pending_ == 0) {
    finish();
  }
}

void ObjectJob::finish() {
  Sink* parent = parent_;
  std::size_t index = parent_index_;
  Outcome out;
  if (failed_) {
    out.failed = true;
  } else {
    json::object obj;
    obj.reserve(slots_.size());
    for (auto& s : slots_) obj.emplace(json::string_view(s.group.key.data(), s.group.key.size()), std::move(s.value));
    out.value = std::move(obj);
  }
  delete this;
  parent->deliver(index, std::move(out));
}

// ---- ListJob -----------------------------------------------------------------------------

ListJob::ListJob(Execution& ex, Sink* parent, std::size_t parent_index, TypeView item_type, const Field& def,
                 const Type& parent_type, const std::vector<const ast::Selection*>& nodes, Held list,
                 const ResponsePath* path)
    : ex_(ex), parent_(parent), parent_index_(parent_index), item_type_(item_type), def_(def),
      parent_type_(parent_type), nodes_(nodes), list_(std::move(list)) {
  items_.resize(list_.get().get_array().size());
  paths_.resize(items_.size());
  for (std::size_t i = 0; i < paths_.size(); ++i) paths_[i] = ResponsePath{path, {}, i, true};
}

void ListJob::start() {
  for (std::size_t i = 0; i < items_.size() && !failed_; ++i) {
    ++pending_;
    ex_.completeValue(item_type_, def_, parent_type_, nodes_, Held::borrow(list_.get().get_array()[i]), &paths_[i],
                      this, i);
  }
  if (--pending_ == 0) finish();
}

void ListJob::deliver(std::size_t i, Outcome outcome) {
  bool non_null = item_type_.nonNull();
  if (outcome.failed) {
    if (non_null) failed_ = true;
    items_[i] = nullptr;
  } else if (outcome.value.is_null() && non_null) {
    ex_.addError("Cannot return null for non-nullable field " + std::string(parent_type_.name) + "." +
                     std::string(def_.name) + ".",
                 *nodes_[0], &paths_[i]);
    failed_ = true;
  } else {
    items_[i] = std::move(outcome.value);
  }
  if (--pending_ == 0) finish();
}

void ListJob::finish() {
  Sink* parent = parent_;
  std::size_t index = parent_index_;
  Outcome out;
  if (failed_) out.failed = true;
  else out.value = json::array(std::make_move_iterator(items_.begin()), std::make_move_iterator(items_.end()));
  delete this;
  parent->deliver(index, std::move(out));
}

}  // namespace

// ---- Field collection (§6.3.2) ------------------------------------------------------------

namespace {

bool included(const Schema& schema, const std::vector<ast::Directive>& directives, const json::object& variables) {
  for (const auto& d : directives) {
    bool skip = d.name == "skip";
    if (!skip && d.name != "include") continue;
    const DirectiveDef* def = schema.directive(d.name);
    if (!def) continue;
    auto args = coerceArgumentValues(schema, def->args, d.arguments, variables, d.loc);
    if (!args) continue;
    const json::value* v = args->if_contains("if");
    bool cond = v && v->is_bool() && v->get_bool();
    if (skip == cond) return false;
  }
  return true;
}

bool fragmentApplies(const Schema& schema, const Type& object, std::string_view condition) {
  if (condition.empty()) return true;
  const Type* t = schema.type(condition);
  if (!t) return false;
  return schema.isPossibleType(*t, object);
}

void collectInto(const Schema& schema, const ast::Document& doc, const Type& object, const ast::SelectionSet& set,
                 const json::object& variables, FieldGroups& out, std::vector<std::string_view>& visited) {
  for (const auto& sel : set.items) {
    if (!included(schema, sel.directives, variables)) continue;
    switch (sel.kind) {
      case ast::SelectionKind::Field: out.add(sel.responseKey(), &sel); break;
      case ast::SelectionKind::InlineFragment:
        if (!fragmentApplies(schema, object, sel.type_condition)) continue;
        collectInto(schema, doc, object, sel.selection_set, variables, out, visited);
        break;
      case ast::SelectionKind::FragmentSpread: {
        if (std::find(visited.begin(), visited.end(), sel.name) != visited.end()) continue;
        visited.push_back(sel.name);
        const ast::FragmentDefinition* frag = doc.fragment(sel.name);
        if (!frag || !fragmentApplies(schema, object, frag->type_condition)) continue;
        collectInto(schema, doc, object, frag->selection_set, variables, out, visited);
        break;
      }
    }
  }
}

}  // namespace

void FieldGroups::add(std::string_view key, const ast::Selection* node) {
  if (groups.size() < 16) {
    for (auto& g : groups)
      if (g.key == key) {
        g.nodes.push_back(node);
        return;
      }
    groups.push_back({key, {node}});
    return;
  }
  if (index.empty())
    for (std::size_t i = 0; i < groups.size(); ++i) index.emplace(groups[i].key, i);
  auto [it, fresh] = index.emplace(key, groups.size());
  if (fresh) groups.push_back({key, {node}});
  else groups[it->second].nodes.push_back(node);
}

FieldGroups collectFields(const Schema& schema, const ast::Document& doc, const Type& object,
                          const std::vector<const ast::SelectionSet*>& sets, const json::object& variables) {
  FieldGroups out;
  std::vector<std::string_view> visited;
  for (const auto* set : sets) collectInto(schema, doc, object, *set, variables, out, visited);
  return out;
}

const ast::OperationDefinition* selectOperation(const ast::Document& doc, std::string_view name, Errors& errors) {
  if (name.empty()) {
    if (doc.operations.size() == 1) return &doc.operations[0];
    errors.push_back(Error{doc.operations.empty() ? "Must provide an operation."
                                                  : "Must provide operation name if query contains multiple operations.",
                           {}, {}, {}});
    return nullptr;
  }
  for (const auto& op : doc.operations)
    if (op.name == name) return &op;
  errors.push_back(Error{"Unknown operation named \"" + std::string(name) + "\".", {}, {}, {}});
  return nullptr;
}

// ---- Engine -----------------------------------------------------------------------------

Completion detail::makeCompletion(Completer* target, std::size_t index) { return Completion(target, index); }

Engine::Engine(std::shared_ptr<const Schema> schema, Resolvers resolvers, Limits limits)
    : schema_(std::move(schema)), limits_(limits), in_(std::make_unique<Internals>()) {
  for (auto& e : resolvers.fields_) {
    const Type* t = schema_->type(e.type_name);
    const Field* f = t ? t->field(e.field_name) : nullptr;
    if (!f) throw std::invalid_argument("graphql: no field " + e.type_name + "." + e.field_name + " in the schema");
    in_->resolvers[f] = std::move(e.resolver);
  }
  in_->type_resolver = std::move(resolvers.type_resolver_);
}

Engine::~Engine() = default;

boost::system::result<PreparedPtr, Errors> Engine::prepare(std::string query) const {
  auto parsed = parseExecutable(std::move(query), limits_);
  if (!parsed) return Errors{parsed.error()};
  Errors errors = validate(*schema_, **parsed, limits_);
  if (!errors.empty()) return errors;
  auto prepared = std::make_shared<PreparedDocument>();
  prepared->document = std::move(*parsed);
  prepared->schema = schema_;
  return PreparedPtr(std::move(prepared));
}

void Engine::execute(const PreparedPtr& document, ExecuteOptions options, Done done) const {
  Errors errors;
  const ast::OperationDefinition* op = selectOperation(*document->document, options.operation_name, errors);
  if (!op) {
    done(errorResponse(errors));
    return;
  }
  static const json::object kNone;
  auto variables = coerceVariableValues(*schema_, *op, options.variables ? *options.variables : kNone);
  if (!variables) {
    done(errorResponse(variables.error()));
    return;
  }
  if (!schema_->rootType(op->operation)) {
    done(errorResponse({Error{"Schema is not configured to execute this operation.", {op->loc}, {}, {}}}));
    return;
  }
  auto* ex = new Execution(*this, *in_, document, *op, std::move(*variables), options.context, std::move(done));
  ex->run(options.root_ref ? Held::borrow(*options.root_ref) : Held::own(std::move(options.root)));
}

boost::system::result<SubscriptionRoot, Errors> Engine::subscriptionRoot(const PreparedDocument& document,
                                                                         std::string_view operation_name,
                                                                         const json::object* variables) const {
  Errors errors;
  const ast::OperationDefinition* op = selectOperation(*document.document, operation_name, errors);
  if (!op) return errors;
  if (op->operation != OperationType::Subscription)
    return Errors{Error{"The operation is not a subscription.", {op->loc}, {}, {}}};
  static const json::object kNone;
  auto coerced = coerceVariableValues(*schema_, *op, variables ? *variables : kNone);
  if (!coerced) return coerced.error();
  const Type* root = schema_->rootType(OperationType::Subscription);
  if (!root) return Errors{Error{"The schema has no subscriptions.", {op->loc}, {}, {}}};
  FieldGroups groups = collectFields(*schema_, *document.document, *root, {&op->selection_set}, *coerced);
  if (groups.groups.empty()) return Errors{Error{"The subscription selects no field.", {op->loc}, {}, {}}};
  const ast::Selection& node = *groups.groups[0].nodes[0];
  const Field* def = root->field(node.name);
  if (!def) return Errors{Error{"The subscription field \"" + std::string(node.name) + "\" is not defined.", {node.loc}, {}, {}}};
  auto args = coerceArgumentValues(*schema_, def->args, node.arguments, *coerced, node.loc);
  if (!args) return Errors{args.error()};
  return SubscriptionRoot{def->name, std::move(*args)};
}

json::object errorResponse(const Errors& errors) {
  json::object out;
  out["errors"] = toJson(errors);
  return out;
}

std::string serializeResponse(const json::object& response) {
  std::string out = "{";
  bool first = true;
  for (std::string_view key : {"errors", "data", "extensions"}) {
    const json::value* v = response.if_contains(json::string_view(key.data(), key.size()));
    if (!v) continue;
    if (!first) out.push_back(',');
    first = false;
    out += "\"" + std::string(key) + "\":";
    appendJson(out, *v);
  }
  return out + "}";
}

}  // namespace sg::graphql
