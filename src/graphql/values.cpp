#include "graphql/values.hpp"

#include "core/text.hpp"

#include <boost/json/array.hpp>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>

namespace sg::graphql {

namespace json = boost::json;

namespace {

constexpr double kIntMin = -2147483648.0;
constexpr double kIntMax = 2147483647.0;

// A JSON number as a double, when it is one.
std::optional<double> numberOf(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  if (v.is_double()) return v.get_double();
  return std::nullopt;
}

bool isIntegral(double d) { return std::isfinite(d) && std::trunc(d) == d; }

// Scalar input coercion of a JSON value (parseValue).
std::optional<json::value> parseScalarValue(const Type& type, const json::value& v) {
  if (!type.builtin) return v;
  std::string_view n = type.name;
  if (n == "Int") {
    auto d = numberOf(v);
    if (!d || !isIntegral(*d) || *d < kIntMin || *d > kIntMax) return std::nullopt;
    return json::value(static_cast<std::int64_t>(*d));
  }
  if (n == "Float") {
    auto d = numberOf(v);
    if (!d || !std::isfinite(*d)) return std::nullopt;
    return json::value(*d);
  }
  if (n == "String") {
    if (!v.is_string()) return std::nullopt;
    return v;
  }
  if (n == "Boolean") {
    if (!v.is_bool()) return std::nullopt;
    return v;
  }
  // ID
  if (v.is_string()) return v;
  auto d = numberOf(v);
  if (d && isIntegral(*d)) return json::value(formatJsNumber(*d));
  return std::nullopt;
}

std::optional<std::int64_t> parseIntText(std::string_view text) {
  std::int64_t out = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return out;
}

// A literal beyond a double's range reads as infinity, as in JavaScript (graphql-js
// accepts it; it serializes as null).
std::optional<double> parseFloatText(std::string_view text, bool allow_infinite = false) {
  double out = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec == std::errc::result_out_of_range && allow_infinite && ptr == text.data() + text.size()) {
    bool tiny = text.find_first_of("eE") != std::string_view::npos &&
                text[text.find_first_of("eE") + 1] == '-';
    double sign = text[0] == '-' ? -1.0 : 1.0;
    return tiny ? 0.0 * sign : sign * std::numeric_limits<double>::infinity();
  }
  if (ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(out)) return std::nullopt;
  return out;
}

// A literal with no type to guide it (custom scalars): variables substituted, an unset
// variable inside a list becomes null and inside an object leaves the field out.
std::optional<json::value> untyped(const ast::Value& literal, const json::object* variables) {
  switch (literal.kind) {
    case ast::ValueKind::Null: return json::value(nullptr);
    case ast::ValueKind::Boolean: return json::value(literal.boolean);
    case ast::ValueKind::Int: {
      if (auto i = parseIntText(literal.text)) return json::value(*i);
      if (auto d = parseFloatText(literal.text)) return json::value(*d);
      return std::nullopt;
    }
    case ast::ValueKind::Float: {
      if (auto d = parseFloatText(literal.text)) return json::value(*d);
      return std::nullopt;
    }
    case ast::ValueKind::String:
    case ast::ValueKind::Enum: return json::value(json::string_view(literal.text.data(), literal.text.size()));
    case ast::ValueKind::Variable: {
      if (!variables) return std::nullopt;
      const json::value* v = variables->if_contains(json::string_view(literal.text.data(), literal.text.size()));
      if (!v) return std::nullopt;
      return *v;
    }
    case ast::ValueKind::List: {
      json::array out;
      for (const auto& item : literal.list) {
        auto v = untyped(item, variables);
        out.push_back(v ? std::move(*v) : json::value(nullptr));
      }
      return json::value(std::move(out));
    }
    case ast::ValueKind::Object: {
      json::object out;
      for (const auto& f : literal.fields) {
        auto v = untyped(f.value, variables);
        if (v) out[json::string_view(f.name.data(), f.name.size())] = std::move(*v);
      }
      return json::value(std::move(out));
    }
  }
  return std::nullopt;
}

json::string_view js(std::string_view s) { return {s.data(), s.size()}; }

// json::value is constructible from a string too, so errors are built explicitly.
boost::system::result<json::value, std::string> err(std::string message) {
  return {boost::system::in_place_error, std::move(message)};
}

bool isMissingVariable(const ast::Value& literal, const json::object* variables) {
  return literal.kind == ast::ValueKind::Variable && (!variables || !variables->contains(js(literal.text)));
}

bool coerceInput(const Schema& schema, const json::value& input, TypeView type, std::string& path,
                 std::string& error, json::value& out);

}  // namespace

std::optional<json::value> valueFromAst(const Schema& schema, const ast::Value& literal, TypeView type,
                                        const json::object* variables) {
  if (literal.kind == ast::ValueKind::Variable) {
    if (!variables) return std::nullopt;
    const json::value* v = variables->if_contains(js(literal.text));
    if (!v) return std::nullopt;
    if (v->is_null() && type.nonNull()) return std::nullopt;
    // Variables were coerced already; an allowed position guarantees a fitting type.
    return *v;
  }
  if (type.nonNull()) {
    if (literal.kind == ast::ValueKind::Null) return std::nullopt;
    return valueFromAst(schema, literal, type.inner(), variables);
  }
  if (literal.kind == ast::ValueKind::Null) return json::value(nullptr);
  if (type.list()) {
    TypeView item_type = type.inner();
    if (literal.kind != ast::ValueKind::List) {
      auto one = valueFromAst(schema, literal, item_type, variables);
      if (!one) return std::nullopt;
      json::array out;
      out.push_back(std::move(*one));
      return json::value(std::move(out));
    }
    json::array out;
    out.reserve(literal.list.size());
    for (const auto& item : literal.list) {
      if (isMissingVariable(item, variables)) {
        if (item_type.nonNull()) return std::nullopt;
        out.push_back(nullptr);
        continue;
      }
      auto v = valueFromAst(schema, item, item_type, variables);
      if (!v) return std::nullopt;
      out.push_back(std::move(*v));
    }
    return json::value(std::move(out));
  }
  const Type* named = schema.type(type.name);
  if (!named) return std::nullopt;
  switch (named->kind) {
    case TypeKind::InputObject: {
      if (literal.kind != ast::ValueKind::Object) return std::nullopt;
      json::object out;
      for (const auto& def : named->input_fields) {
        const ast::ObjectField* given = nullptr;
        for (const auto& f : literal.fields)
          if (f.name == def.name) {
            given = &f;
            break;
          }
        if (!given || isMissingVariable(given->value, variables)) {
          if (def.default_value) out[js(def.name)] = *def.default_value;
          else if (def.type.nonNull()) return std::nullopt;
          continue;
        }
        auto v = valueFromAst(schema, given->value, def.type, variables);
        if (!v) return std::nullopt;
        out[js(def.name)] = std::move(*v);
      }
      for (const auto& f : literal.fields)
        if (!named->inputField(f.name)) return std::nullopt;
      return json::value(std::move(out));
    }
    case TypeKind::Enum:
      if (literal.kind != ast::ValueKind::Enum || !named->enumValue(literal.text)) return std::nullopt;
      return json::value(js(literal.text));
    case TypeKind::Scalar: {
      if (!named->builtin) return untyped(literal, variables);
      std::string_view n = named->name;
      if (n == "Int") {
        if (literal.kind != ast::ValueKind::Int) return std::nullopt;
        auto i = parseIntText(literal.text);
        if (!i || *i < -2147483648LL || *i > 2147483647LL) return std::nullopt;
        return json::value(*i);
      }
      if (n == "Float") {
        if (literal.kind != ast::ValueKind::Int && literal.kind != ast::ValueKind::Float) return std::nullopt;
        auto d = parseFloatText(literal.text, true);
        if (!d) return std::nullopt;
        return json::value(*d);
      }
      if (n == "String") {
        if (literal.kind != ast::ValueKind::String) return std::nullopt;
        return json::value(js(literal.text));
      }
      if (n == "Boolean") {
        if (literal.kind != ast::ValueKind::Boolean) return std::nullopt;
        return json::value(literal.boolean);
      }
      if (literal.kind != ast::ValueKind::String && literal.kind != ast::ValueKind::Int) return std::nullopt;
      return json::value(js(literal.text));
    }
    default: return std::nullopt;
  }
}

namespace {

bool coerceInput(const Schema& schema, const json::value& input, TypeView type, std::string& path,
                 std::string& error, json::value& out) {
  auto fail = [&](std::string message) {
    error = path.empty() ? std::move(message) : "At \"" + path + "\": " + message;
    return false;
  };
  if (type.nonNull()) {
    if (input.is_null()) return fail("Expected non-nullable type \"" + toString(type) + "\" not to be null.");
    return coerceInput(schema, input, type.inner(), path, error, out);
  }
  if (input.is_null()) {
    out = nullptr;
    return true;
  }
  if (type.list()) {
    TypeView item_type = type.inner();
    if (!input.is_array()) {
      json::value one;
      if (!coerceInput(schema, input, item_type, path, error, one)) return false;
      json::array arr;
      arr.push_back(std::move(one));
      out = std::move(arr);
      return true;
    }
    json::array arr;
    const auto& items = input.get_array();
    arr.reserve(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
      std::size_t keep = path.size();
      path += "[" + std::to_string(i) + "]";
      json::value v;
      if (!coerceInput(schema, items[i], item_type, path, error, v)) return false;
      path.resize(keep);
      arr.push_back(std::move(v));
    }
    out = std::move(arr);
    return true;
  }
  const Type* named = schema.type(type.name);
  if (!named) return fail("Unknown type \"" + std::string(type.name) + "\".");
  switch (named->kind) {
    case TypeKind::InputObject: {
      if (!input.is_object()) return fail("Expected type \"" + std::string(named->name) + "\" to be an object.");
      const auto& obj = input.get_object();
      json::object result;
      for (const auto& def : named->input_fields) {
        const json::value* given = obj.if_contains(js(def.name));
        if (!given) {
          if (def.default_value) result[js(def.name)] = *def.default_value;
          else if (def.type.nonNull())
            return fail("Field \"" + std::string(def.name) + "\" of required type \"" + toString(def.type) +
                        "\" was not provided.");
          continue;
        }
        std::size_t keep = path.size();
        path += "." + std::string(def.name);
        json::value v;
        if (!coerceInput(schema, *given, def.type, path, error, v)) return false;
        path.resize(keep);
        result[js(def.name)] = std::move(v);
      }
      for (const auto& entry : obj)
        if (!named->inputField(std::string_view(entry.key())))
          return fail("Field \"" + std::string(entry.key()) + "\" is not defined by type \"" +
                      std::string(named->name) + "\".");
      out = std::move(result);
      return true;
    }
    case TypeKind::Enum:
      if (!input.is_string() || !named->enumValue(std::string_view(input.get_string())))
        return fail("Value " + toJsonText(input) + " does not exist in \"" + std::string(named->name) + "\" enum.");
      out = input;
      return true;
    case TypeKind::Scalar: {
      auto v = parseScalarValue(*named, input);
      if (!v) return fail(std::string(named->name) + " cannot represent value: " + toJsonText(input));
      out = std::move(*v);
      return true;
    }
    default: return fail("\"" + std::string(named->name) + "\" is not an input type.");
  }
}

}  // namespace

boost::system::result<json::value, std::string> coerceInputValue(const Schema& schema, const json::value& input,
                                                                 TypeView type) {
  std::string path, error;
  json::value out;
  if (!coerceInput(schema, input, type, path, error, out)) return err(std::move(error));
  return out;
}

boost::system::result<json::object, Errors> coerceVariableValues(const Schema& schema,
                                                                 const ast::OperationDefinition& operation,
                                                                 const json::object& inputs) {
  Errors errors;
  json::object coerced;
  for (const auto& def : operation.variables) {
    TypeView type = TypeView::of(def.type);
    auto fail = [&](std::string message) { errors.push_back(Error{std::move(message), {def.loc}, {}, {}}); };
    const json::value* given = inputs.if_contains(js(def.name));
    if (!given) {
      if (def.default_value) {
        auto v = valueFromAst(schema, *def.default_value, type, nullptr);
        if (v) coerced[js(def.name)] = std::move(*v);
      } else if (type.nonNull()) {
        fail("Variable \"$" + std::string(def.name) + "\" of required type \"" + toString(type) +
             "\" was not provided.");
      }
      continue;
    }
    if (given->is_null() && type.nonNull()) {
      fail("Variable \"$" + std::string(def.name) + "\" of non-null type \"" + toString(type) +
           "\" must not be null.");
      continue;
    }
    auto v = coerceInputValue(schema, *given, type);
    if (!v) {
      fail("Variable \"$" + std::string(def.name) + "\" got invalid value " + toJsonText(*given) + "; " + v.error());
      continue;
    }
    coerced[js(def.name)] = std::move(*v);
  }
  if (!errors.empty()) return errors;
  return coerced;
}

boost::system::result<json::object, Error> coerceArgumentValues(const Schema& schema,
                                                                const std::vector<InputValue>& definitions,
                                                                const std::vector<ast::Argument>& arguments,
                                                                const json::object& variables, Location where) {
  json::object coerced;
  for (const auto& def : definitions) {
    const ast::Argument* given = nullptr;
    for (const auto& a : arguments)
      if (a.name == def.name) {
        given = &a;
        break;
      }
    auto fail = [&](std::string message) {
      return Error{std::move(message), {given ? given->value.loc : where}, {}, {}};
    };
    if (!given) {
      if (def.default_value) coerced[js(def.name)] = *def.default_value;
      else if (def.type.nonNull())
        return fail("Argument \"" + std::string(def.name) + "\" of required type \"" + toString(def.type) +
                    "\" was not provided.");
      continue;
    }
    bool is_null = given->value.kind == ast::ValueKind::Null;
    if (given->value.kind == ast::ValueKind::Variable) {
      const json::value* v = variables.if_contains(js(given->value.text));
      if (!v) {
        if (def.default_value) coerced[js(def.name)] = *def.default_value;
        else if (def.type.nonNull())
          return fail("Argument \"" + std::string(def.name) + "\" of required type \"" + toString(def.type) +
                      "\" was provided the variable \"$" + std::string(given->value.text) +
                      "\" which was not provided a runtime value.");
        continue;
      }
      is_null = v->is_null();
    }
    if (is_null && def.type.nonNull())
      return fail("Argument \"" + std::string(def.name) + "\" of non-null type \"" + toString(def.type) +
                  "\" must not be null.");
    auto v = valueFromAst(schema, given->value, def.type, &variables);
    if (!v) return fail("Argument \"" + std::string(def.name) + "\" has invalid value.");
    coerced[js(def.name)] = std::move(*v);
  }
  return coerced;
}

boost::system::result<json::value, std::string> serializeLeaf(const Type& type, const json::value& v) {
  if (type.kind == TypeKind::Enum) {
    if (v.is_string() && type.enumValue(std::string_view(v.get_string()))) return v;
    return err("Enum \"" + std::string(type.name) + "\" cannot represent value: " + toJsonText(v));
  }
  if (!type.builtin) return v;
  std::string_view n = type.name;
  auto fail = [&](std::string_view what) {
    return err(std::string(n) + " cannot represent " + std::string(what) + ": " + toJsonText(v));
  };
  auto num = numberOf(v);
  if (n == "Int") {
    double d = 0;
    if (v.is_bool()) d = v.get_bool() ? 1 : 0;
    else if (num) d = *num;
    else if (v.is_string() && !v.get_string().empty()) {
      auto parsed = parseFloatText(std::string_view(v.get_string()));
      if (!parsed) return fail("non-integer value");
      d = *parsed;
    } else return fail("non-integer value");
    if (!isIntegral(d)) return fail("non-integer value");
    if (d < kIntMin || d > kIntMax) return fail("non 32-bit signed integer value");
    return json::value(static_cast<std::int64_t>(d));
  }
  if (n == "Float") {
    if (v.is_bool()) return json::value(v.get_bool() ? 1 : 0);
    if (num && std::isfinite(*num)) return v;
    if (v.is_string() && !v.get_string().empty()) {
      if (auto parsed = parseFloatText(std::string_view(v.get_string()))) return json::value(*parsed);
    }
    return fail("non numeric value");
  }
  if (n == "String") {
    if (v.is_string()) return v;
    if (v.is_bool()) return json::value(v.get_bool() ? "true" : "false");
    if (num && std::isfinite(*num)) return json::value(formatJsNumber(v));
    return fail("value");
  }
  if (n == "Boolean") {
    if (v.is_bool()) return v;
    if (num && std::isfinite(*num)) return json::value(*num != 0);
    return fail("a non boolean value");
  }
  if (v.is_string()) return v;
  if (num && isIntegral(*num)) return json::value(formatJsNumber(v));
  return fail("value");
}

std::optional<std::string> printLiteral(const Schema& schema, const json::value& v, TypeView type) {
  if (type.nonNull()) {
    if (v.is_null()) return std::nullopt;
    return printLiteral(schema, v, type.inner());
  }
  if (v.is_null()) return std::string("null");
  if (type.list()) {
    if (!v.is_array()) return printLiteral(schema, v, type.inner());
    std::string out = "[";
    bool first = true;
    for (const auto& item : v.get_array()) {
      auto p = printLiteral(schema, item, type.inner());
      if (!p) continue;
      if (!first) out += ", ";
      first = false;
      out += *p;
    }
    return out + "]";
  }
  const Type* named = schema.type(type.name);
  if (!named) return std::nullopt;
  if (named->kind == TypeKind::InputObject) {
    if (!v.is_object()) return std::nullopt;
    std::string out = "{";
    bool first = true;
    for (const auto& def : named->input_fields) {
      const json::value* fv = v.get_object().if_contains(js(def.name));
      if (!fv) continue;
      auto p = printLiteral(schema, *fv, def.type);
      if (!p) continue;
      if (!first) out += ", ";
      first = false;
      out += std::string(def.name) + ": " + *p;
    }
    return out + "}";
  }
  auto serialized = serializeLeaf(*named, v);
  if (!serialized) return std::nullopt;
  const json::value& s = *serialized;
  if (named->kind == TypeKind::Enum) return std::string(s.get_string());
  // Untyped printing (custom scalars may hold any JSON value).
  struct Printer {
    static std::optional<std::string> print(const json::value& x, bool is_id) {
      if (x.is_null()) return std::string("null");
      if (x.is_bool()) return std::string(x.get_bool() ? "true" : "false");
      if (x.is_number()) return formatJsNumber(x);
      if (x.is_string()) {
        std::string_view str = x.get_string();
        if (is_id && !str.empty()) {
          bool integer = true;
          std::size_t i = str[0] == '-' ? 1 : 0;
          if (i == str.size() || (str[i] == '0' && str.size() > i + 1)) integer = false;
          for (; integer && i < str.size(); ++i)
            if (str[i] < '0' || str[i] > '9') integer = false;
          if (integer) return std::string(str);
        }
        return printGraphqlString(str);
      }
      if (x.is_array()) {
        std::string out = "[";
        bool first = true;
        for (const auto& item : x.get_array()) {
          auto p = print(item, false);
          if (!p) continue;
          if (!first) out += ", ";
          first = false;
          out += *p;
        }
        return out + "]";
      }
      std::string out = "{";
      bool first = true;
      for (const auto& entry : x.get_object()) {
        auto p = print(entry.value(), false);
        if (!p) continue;
        if (!first) out += ", ";
        first = false;
        out += std::string(entry.key()) + ": " + *p;
      }
      return out + "}";
    }
  };
  return Printer::print(s, named->builtin && named->name == "ID");
}

std::string formatJsNumber(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (d == 0) return "0";
  std::string out;
  if (d < 0) {
    out.push_back('-');
    d = -d;
  }
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<std::size_t>(res.ptr - buf));
  auto e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e))
    if (c != '.') digits.push_back(c);
  int exp = 0;
  std::from_chars(sci.data() + e + 1 + (sci[e + 1] == '+' ? 1 : 0), sci.data() + sci.size(), exp);
  int k = static_cast<int>(digits.size());
  int n = exp + 1;  // position of the decimal point after the first n digits
  if (k <= n && n <= 21) {
    out += digits;
    out.append(static_cast<std::size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out += digits.substr(0, static_cast<std::size_t>(n));
    out += '.';
    out += digits.substr(static_cast<std::size_t>(n));
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-n), '0');
    out += digits;
  } else {
    out += digits.substr(0, 1);
    if (k > 1) {
      out += '.';
      out += digits.substr(1);
    }
    out += 'e';
    out += (n - 1 >= 0) ? '+' : '-';
    out += std::to_string(std::abs(n - 1));
  }
  return out;
}

std::string formatJsNumber(const json::value& number) {
  if (number.is_int64()) return std::to_string(number.get_int64());
  if (number.is_uint64()) return std::to_string(number.get_uint64());
  return formatJsNumber(number.get_double());
}

std::string printGraphqlString(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\b': out += "\\b"; continue;
      case '\t': out += "\\t"; continue;
      case '\n': out += "\\n"; continue;
      case '\f': out += "\\f"; continue;
      case '\r': out += "\\r"; continue;
      default: break;
    }
    unsigned code = c;
    bool escape = c < 0x20 || c == 0x7F;
    // U+0080..U+009F arrive as C2 80..C2 9F.
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9F) {
      code = static_cast<unsigned char>(s[i + 1]);
      escape = true;
      ++i;
    }
    if (escape) {
      out += "\\u00";
      out.push_back(kHex[code >> 4]);
      out.push_back(kHex[code & 15]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out + "\"";
}

void appendJson(std::string& out, const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: out += "null"; return;
    case json::kind::bool_: out += v.get_bool() ? "true" : "false"; return;
    case json::kind::int64:
    case json::kind::uint64: out += formatJsNumber(v); return;
    case json::kind::double_:
      // JSON.stringify writes non-finite numbers as null.
      out += std::isfinite(v.get_double()) ? formatJsNumber(v.get_double()) : "null";
      return;
    case json::kind::string: appendJsonString(out, v.get_string()); return;
    case json::kind::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& item : v.get_array()) {
        if (!first) out.push_back(',');
        first = false;
        appendJson(out, item);
      }
      out.push_back(']');
      return;
    }
    case json::kind::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& entry : v.get_object()) {
        if (!first) out.push_back(',');
        first = false;
        appendJsonString(out, entry.key());
        out.push_back(':');
        appendJson(out, entry.value());
      }
      out.push_back('}');
      return;
    }
  }
}

std::string toJsonText(const json::value& v) {
  std::string out;
  appendJson(out, v);
  return out;
}

}  // namespace sg::graphql
