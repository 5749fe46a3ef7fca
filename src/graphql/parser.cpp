#include "graphql/parser.hpp"

#include "core/utf8.hpp"
#include "graphql/lexer.hpp"

#include <utility>

namespace sg::graphql {

namespace {

using namespace ast;

// Thrown nowhere: every parse function returns false after recording the first error,
// and callers unwind by returning false too.
class Parser {
 public:
  Parser(SourceText& text, const Limits& limits) : lexer_(text, limits.max_tokens), limits_(limits) {}

  bool start() { return advance(); }
  const Error& error() const { return error_; }

  bool parseExecutable(Document& doc);
  bool parseTypeSystem(TypeSystemDocument& doc);

 private:
  bool advance() {
    tok_ = lexer_.next();
    if (tok_.kind == TokenKind::Error) return failAt(lexer_.error(), lexer_.errorLocation());
    return true;
  }
  bool failAt(std::string message, Location loc) {
    if (error_.message.empty()) {
      error_.message = std::move(message);
      error_.locations = {loc};
    }
    return false;
  }
  std::string describeToken() const {
    std::string out(describe(tok_.kind));
    if (tok_.kind == TokenKind::Name || tok_.kind == TokenKind::Int || tok_.kind == TokenKind::Float)
      out += " \"" + std::string(tok_.text) + "\"";
    else if (tok_.kind == TokenKind::String || tok_.kind == TokenKind::BlockString)
      out += " \"" + std::string(tok_.value) + "\"";
    return out;
  }
  bool unexpected() {
    if (tok_.kind == TokenKind::End) return failAt("Syntax Error: Unexpected <EOF>.", tok_.loc);
    return failAt("Syntax Error: Unexpected " + describeToken() + ".", tok_.loc);
  }
  bool expect(TokenKind kind) {
    if (tok_.kind != kind)
      return failAt("Syntax Error: Expected " + std::string(describe(kind)) + ", found " + describeToken() + ".",
                    tok_.loc);
    return advance();
  }
  bool skip(TokenKind kind, bool& ok) {
    if (tok_.kind != kind) return false;
    ok = advance();
    return true;
  }
  bool peek(TokenKind kind) const { return tok_.kind == kind; }
  bool peekKeyword(std::string_view word) const { return tok_.kind == TokenKind::Name && tok_.text == word; }
  bool expectKeyword(std::string_view word) {
    if (!peekKeyword(word))
      return failAt("Syntax Error: Expected \"" + std::string(word) + "\", found " + describeToken() + ".", tok_.loc);
    return advance();
  }
  bool name(std::string_view& out) {
    if (tok_.kind != TokenKind::Name) return expect(TokenKind::Name);
    out = tok_.text;
    return advance();
  }
  bool enter() {
    if (++depth_ > limits_.max_depth)
      return failAt("Document nesting is deeper than " + std::to_string(limits_.max_depth) + " levels.", tok_.loc);
    return true;
  }
  void leave() { --depth_; }

  bool value(Value& out, bool is_const);
  bool type(TypeRef& out);
  bool arguments(std::vector<Argument>& out, bool is_const);
  bool directives(std::vector<Directive>& out, bool is_const);
  bool selectionSet(SelectionSet& out);
  bool selection(Selection& out);
  bool operation(OperationDefinition& out);
  bool fragment(FragmentDefinition& out);
  bool variableDefinitions(std::vector<VariableDefinition>& out);

  bool description(std::optional<std::string_view>& out);
  bool inputValueDefinitions(std::vector<InputValueDefinition>& out, TokenKind open, TokenKind close);
  bool inputValueDefinition(InputValueDefinition& out);
  bool typeDefinition(TypeDefinition& out, std::optional<std::string_view> desc, Location loc);
  bool directiveDefinition(DirectiveDefinition& out, std::optional<std::string_view> desc, Location loc);
  bool schemaDefinition(SchemaDefinition& out);

  Lexer lexer_;
  const Limits& limits_;
  Token tok_;
  std::size_t depth_ = 0;
  Error error_;
};

bool Parser::value(Value& out, bool is_const) {
  out.loc = tok_.loc;
  switch (tok_.kind) {
    case TokenKind::Dollar: {
      if (is_const) return unexpected();
      if (!advance()) return false;
      out.kind = ValueKind::Variable;
      return name(out.text);
    }
    case TokenKind::Int: out.kind = ValueKind::Int; out.text = tok_.text; return advance();
    case TokenKind::Float: out.kind = ValueKind::Float; out.text = tok_.text; return advance();
    case TokenKind::String:
    case TokenKind::BlockString: out.kind = ValueKind::String; out.text = tok_.value; return advance();
    case TokenKind::Name:
      if (tok_.text == "true" || tok_.text == "false") {
        out.kind = ValueKind::Boolean;
        out.boolean = tok_.text == "true";
      } else if (tok_.text == "null") {
        out.kind = ValueKind::Null;
      } else {
        out.kind = ValueKind::Enum;
      }
      out.text = tok_.text;
      return advance();
    case TokenKind::BracketL: {
      if (!enter() || !advance()) return false;
      out.kind = ValueKind::List;
      bool ok = true;
      while (!skip(TokenKind::BracketR, ok)) {
        if (!value(out.list.emplace_back(), is_const)) return false;
      }
      leave();
      return ok;
    }
    case TokenKind::BraceL: {
      if (!enter() || !advance()) return false;
      out.kind = ValueKind::Object;
      bool ok = true;
      while (!skip(TokenKind::BraceR, ok)) {
        auto& field = out.fields.emplace_back();
        field.loc = tok_.loc;
        if (!name(field.name) || !expect(TokenKind::Colon) || !value(field.value, is_const)) return false;
      }
      leave();
      return ok;
    }
    default: return unexpected();
  }
}

bool Parser::type(TypeRef& out) {
  out.loc = tok_.loc;
  // Wrappers are read outside-in but the trailing `!` of a level comes after its inside, so
  // collect them per level and assemble at the end.
  std::size_t lists = 0;
  while (peek(TokenKind::BracketL)) {
    if (!enter() || !advance()) return false;
    ++lists;
  }
  if (!name(out.name)) return false;
  std::string inner_out;  // built inside-out, reversed at the end
  if (peek(TokenKind::Bang)) {
    inner_out.push_back('N');
    if (!advance()) return false;
  }
  for (std::size_t i = 0; i < lists; ++i) {
    if (!expect(TokenKind::BracketR)) return false;
    leave();
    inner_out.push_back('L');
    if (peek(TokenKind::Bang)) {
      inner_out.push_back('N');
      if (!advance()) return false;
    }
  }
  out.wrappers.assign(inner_out.rbegin(), inner_out.rend());
  return true;
}

bool Parser::arguments(std::vector<Argument>& out, bool is_const) {
  if (!peek(TokenKind::ParenL)) return true;
  if (!advance()) return false;
  if (peek(TokenKind::ParenR)) return expect(TokenKind::Name);
  bool ok = true;
  while (!skip(TokenKind::ParenR, ok)) {
    if (out.size() >= limits_.max_arguments)
      return failAt("More than " + std::to_string(limits_.max_arguments) + " arguments.", tok_.loc);
    auto& arg = out.emplace_back();
    arg.loc = tok_.loc;
    if (!name(arg.name) || !expect(TokenKind::Colon) || !value(arg.value, is_const)) return false;
  }
  return ok;
}

bool Parser::directives(std::vector<Directive>& out, bool is_const) {
  while (peek(TokenKind::At)) {
    if (out.size() >= limits_.max_arguments)
      return failAt("More than " + std::to_string(limits_.max_arguments) + " directives.", tok_.loc);
    auto& d = out.emplace_back();
    d.loc = tok_.loc;
    if (!advance() || !name(d.name) || !arguments(d.arguments, is_const)) return false;
  }
  return true;
}

bool Parser::selectionSet(SelectionSet& out) {
  out.loc = tok_.loc;
  if (!enter() || !expect(TokenKind::BraceL)) return false;
  if (peek(TokenKind::BraceR)) return unexpected();
  bool ok = true;
  while (!skip(TokenKind::BraceR, ok)) {
    if (out.items.size() >= limits_.max_selections_per_set)
      return failAt("More than " + std::to_string(limits_.max_selections_per_set) + " selections in a selection set.",
                    tok_.loc);
    if (!selection(out.items.emplace_back())) return false;
  }
  leave();
  return ok;
}

bool Parser::selection(Selection& out) {
  out.loc = tok_.loc;
  if (peek(TokenKind::Spread)) {
    if (!advance()) return false;
    if (peek(TokenKind::Name) && tok_.text != "on") {
      out.kind = SelectionKind::FragmentSpread;
      return name(out.name) && directives(out.directives, false);
    }
    out.kind = SelectionKind::InlineFragment;
    if (peekKeyword("on")) {
      if (!advance() || !name(out.type_condition)) return false;
    }
    return directives(out.directives, false) && selectionSet(out.selection_set);
  }
  out.kind = SelectionKind::Field;
  std::string_view first;
  if (!name(first)) return false;
  if (peek(TokenKind::Colon)) {
    out.alias = first;
    if (!advance() || !name(out.name)) return false;
  } else {
    out.name = first;
  }
  if (!arguments(out.arguments, false) || !directives(out.directives, false)) return false;
  if (peek(TokenKind::BraceL)) return selectionSet(out.selection_set);
  return true;
}

bool Parser::variableDefinitions(std::vector<VariableDefinition>& out) {
  if (!peek(TokenKind::ParenL)) return true;
  if (!advance()) return false;
  if (peek(TokenKind::ParenR)) return expect(TokenKind::Dollar);
  bool ok = true;
  while (!skip(TokenKind::ParenR, ok)) {
    if (out.size() >= limits_.max_arguments)
      return failAt("More than " + std::to_string(limits_.max_arguments) + " variables.", tok_.loc);
    auto& v = out.emplace_back();
    v.loc = tok_.loc;
    if (!expect(TokenKind::Dollar) || !name(v.name) || !expect(TokenKind::Colon) || !type(v.type)) return false;
    if (peek(TokenKind::Equals)) {
      if (!advance() || !value(v.default_value.emplace(), true)) return false;
    }
    if (!directives(v.directives, true)) return false;
  }
  return ok;
}

bool Parser::operation(OperationDefinition& out) {
  out.loc = tok_.loc;
  if (peek(TokenKind::BraceL)) return selectionSet(out.selection_set);
  if (tok_.text == "query") out.operation = OperationType::Query;
  else if (tok_.text == "mutation") out.operation = OperationType::Mutation;
  else if (tok_.text == "subscription") out.operation = OperationType::Subscription;
  else return unexpected();
  if (!advance()) return false;
  if (peek(TokenKind::Name) && !name(out.name)) return false;
  return variableDefinitions(out.variables) && directives(out.directives, false) && selectionSet(out.selection_set);
}

bool Parser::fragment(FragmentDefinition& out) {
  out.loc = tok_.loc;
  if (!expectKeyword("fragment")) return false;
  if (peekKeyword("on")) return unexpected();
  if (!name(out.name) || !expectKeyword("on")) return false;
  out.type_condition_loc = tok_.loc;
  return name(out.type_condition) && directives(out.directives, false) && selectionSet(out.selection_set);
}

bool Parser::parseExecutable(Document& doc) {
  if (peek(TokenKind::End)) return unexpected();
  while (!peek(TokenKind::End)) {
    if (doc.operations.size() + doc.fragments.size() >= limits_.max_definitions)
      return failAt("More than " + std::to_string(limits_.max_definitions) + " definitions.", tok_.loc);
    if (peek(TokenKind::BraceL) || peekKeyword("query") || peekKeyword("mutation") || peekKeyword("subscription")) {
      if (!operation(doc.operations.emplace_back())) return false;
    } else if (peekKeyword("fragment")) {
      if (!fragment(doc.fragments.emplace_back())) return false;
    } else {
      return unexpected();
    }
  }
  for (const auto& f : doc.fragments) doc.fragment_index.emplace(f.name, &f);
  return true;
}

// ---- Type system -------------------------------------------------------------------------

bool Parser::description(std::optional<std::string_view>& out) {
  if (peek(TokenKind::String) || peek(TokenKind::BlockString)) {
    out = tok_.value;
    return advance();
  }
  return true;
}

bool Parser::inputValueDefinition(InputValueDefinition& out) {
  if (!description(out.description)) return false;
  out.loc = tok_.loc;
  if (!name(out.name) || !expect(TokenKind::Colon) || !type(out.type)) return false;
  if (peek(TokenKind::Equals)) {
    if (!advance() || !value(out.default_value.emplace(), true)) return false;
  }
  return directives(out.directives, true);
}

bool Parser::inputValueDefinitions(std::vector<InputValueDefinition>& out, TokenKind open, TokenKind close) {
  if (!peek(open)) return true;
  if (!advance()) return false;
  bool ok = true;
  while (!skip(close, ok)) {
    if (!inputValueDefinition(out.emplace_back())) return false;
  }
  return ok;
}

bool Parser::typeDefinition(TypeDefinition& out, std::optional<std::string_view> desc, Location loc) {
  out.description = desc;
  out.loc = loc;
  std::string_view keyword = tok_.text;
  if (!advance() || !name(out.name)) return false;
  if (keyword == "scalar") {
    out.kind = TypeKind::Scalar;
    return directives(out.directives, true);
  }
  if (keyword == "type" || keyword == "interface") {
    out.kind = keyword == "type" ? TypeKind::Object : TypeKind::Interface;
    if (peekKeyword("implements")) {
      bool ok = true;
      if (!advance()) return false;
      skip(TokenKind::Amp, ok);
      if (!ok) return false;
      do {
        if (!name(out.interfaces.emplace_back())) return false;
      } while (skip(TokenKind::Amp, ok) && ok);
      if (!ok) return false;
    }
    if (!directives(out.directives, true)) return false;
    if (!peek(TokenKind::BraceL)) return true;
    if (!advance()) return false;
    bool ok = true;
    while (!skip(TokenKind::BraceR, ok)) {
      auto& f = out.fields.emplace_back();
      if (!description(f.description)) return false;
      f.loc = tok_.loc;
      if (!name(f.name) || !inputValueDefinitions(f.arguments, TokenKind::ParenL, TokenKind::ParenR) ||
          !expect(TokenKind::Colon) || !type(f.type) || !directives(f.directives, true))
        return false;
    }
    return ok;
  }
  if (keyword == "union") {
    out.kind = TypeKind::Union;
    if (!directives(out.directives, true)) return false;
    if (!peek(TokenKind::Equals)) return true;
    bool ok = true;
    if (!advance()) return false;
    skip(TokenKind::Pipe, ok);
    if (!ok) return false;
    do {
      if (!name(out.members.emplace_back())) return false;
    } while (skip(TokenKind::Pipe, ok) && ok);
    return ok;
  }
  if (keyword == "enum") {
    out.kind = TypeKind::Enum;
    if (!directives(out.directives, true)) return false;
    if (!peek(TokenKind::BraceL)) return true;
    if (!advance()) return false;
    bool ok = true;
    while (!skip(TokenKind::BraceR, ok)) {
      auto& v = out.values.emplace_back();
      if (!description(v.description)) return false;
      v.loc = tok_.loc;
      if (peekKeyword("true") || peekKeyword("false") || peekKeyword("null")) return unexpected();
      if (!name(v.name) || !directives(v.directives, true)) return false;
    }
    return ok;
  }
  out.kind = TypeKind::InputObject;
  return directives(out.directives, true) &&
         inputValueDefinitions(out.input_fields, TokenKind::BraceL, TokenKind::BraceR);
}

bool Parser::directiveDefinition(DirectiveDefinition& out, std::optional<std::string_view> desc, Location loc) {
  out.description = desc;
  out.loc = loc;
  if (!advance() || !expect(TokenKind::At) || !name(out.name) ||
      !inputValueDefinitions(out.arguments, TokenKind::ParenL, TokenKind::ParenR))
    return false;
  if (peekKeyword("repeatable")) {
    out.repeatable = true;
    if (!advance()) return false;
  }
  if (!expectKeyword("on")) return false;
  bool ok = true;
  skip(TokenKind::Pipe, ok);
  if (!ok) return false;
  do {
    if (!name(out.locations.emplace_back())) return false;
  } while (skip(TokenKind::Pipe, ok) && ok);
  return ok;
}

bool Parser::schemaDefinition(SchemaDefinition& out) {
  out.loc = tok_.loc;
  if (!advance() || !directives(out.directives, true) || !expect(TokenKind::BraceL)) return false;
  bool ok = true;
  while (!skip(TokenKind::BraceR, ok)) {
    OperationType op;
    if (peekKeyword("query")) op = OperationType::Query;
    else if (peekKeyword("mutation")) op = OperationType::Mutation;
    else if (peekKeyword("subscription")) op = OperationType::Subscription;
    else return unexpected();
    std::string_view type_name;
    if (!advance() || !expect(TokenKind::Colon) || !name(type_name)) return false;
    out.roots.emplace_back(op, type_name);
  }
  return ok;
}

bool Parser::parseTypeSystem(TypeSystemDocument& doc) {
  while (!peek(TokenKind::End)) {
    Location loc = tok_.loc;
    std::optional<std::string_view> desc;
    if (!description(desc)) return false;
    if (peekKeyword("scalar") || peekKeyword("type") || peekKeyword("interface") || peekKeyword("union") ||
        peekKeyword("enum") || peekKeyword("input")) {
      if (!typeDefinition(doc.types.emplace_back(), desc, loc)) return false;
    } else if (peekKeyword("directive")) {
      if (!directiveDefinition(doc.directives.emplace_back(), desc, loc)) return false;
    } else if (peekKeyword("schema")) {
      if (doc.schema) return failAt("Must provide only one schema definition.", tok_.loc);
      if (!schemaDefinition(doc.schema.emplace())) return false;
      doc.schema->description = desc;
    } else {
      return unexpected();
    }
  }
  return true;
}

template <class Doc, class Fn>
boost::system::result<std::unique_ptr<Doc>, Error> run(std::string source, const Limits& limits, Fn fn) {
  if (source.size() > limits.max_document_bytes)
    return Error{"Document is larger than " + std::to_string(limits.max_document_bytes) + " bytes.", {}, {}, {}};
  if (!isValidUtf8(source)) return Error{"Syntax Error: Document is not valid UTF-8.", {}, {}, {}};
  auto doc = std::make_unique<Doc>();
  doc->source = std::move(source);
  Parser parser(*doc, limits);
  if (!parser.start() || !fn(parser, *doc)) return parser.error();
  return doc;
}

}  // namespace

boost::system::result<std::unique_ptr<ast::Document>, Error> parseExecutable(std::string source, const Limits& limits) {
  return run<Document>(std::move(source), limits, [](Parser& p, Document& d) { return p.parseExecutable(d); });
}

boost::system::result<std::unique_ptr<ast::TypeSystemDocument>, Error> parseTypeSystem(std::string source,
                                                                                       const Limits& limits) {
  return run<TypeSystemDocument>(std::move(source), limits,
                                 [](Parser& p, TypeSystemDocument& d) { return p.parseTypeSystem(d); });
}

}  // namespace sg::graphql
