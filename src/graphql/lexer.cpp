#include "graphql/lexer.hpp"

#include <vector>

namespace sg::graphql {

namespace {

bool isNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool isNameContinue(char c) { return isNameStart(c) || (c >= '0' && c <= '9'); }
bool isDigit(char c) { return c >= '0' && c <= '9'; }

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void appendUtf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string printChar(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7F) return std::string("\"") + c + "\"";
  static constexpr char kHex[] = "0123456789ABCDEF";
  return std::string("U+00") + kHex[u >> 4] + kHex[u & 15];
}

bool isWhite(char c) { return c == ' ' || c == '\t'; }

}  // namespace

std::string_view describe(TokenKind kind) {
  switch (kind) {
    case TokenKind::End: return "<EOF>";
    case TokenKind::Bang: return "\"!\"";
    case TokenKind::Dollar: return "\"$\"";
    case TokenKind::Amp: return "\"&\"";
    case TokenKind::ParenL: return "\"(\"";
    case TokenKind::ParenR: return "\")\"";
    case TokenKind::Spread: return "\"...\"";
    case TokenKind::Colon: return "\":\"";
    case TokenKind::Equals: return "\"=\"";
    case TokenKind::At: return "\"@\"";
    case TokenKind::BracketL: return "\"[\"";
    case TokenKind::BracketR: return "\"]\"";
    case TokenKind::BraceL: return "\"{\"";
    case TokenKind::Pipe: return "\"|\"";
    case TokenKind::BraceR: return "\"}\"";
    case TokenKind::Name: return "Name";
    case TokenKind::Int: return "Int";
    case TokenKind::Float: return "Float";
    case TokenKind::String: return "String";
    case TokenKind::BlockString: return "BlockString";
    case TokenKind::Error: return "<error>";
  }
  return "?";
}

Lexer::Lexer(ast::SourceText& text, std::size_t max_tokens)
    : text_(text), src_(text.source), max_tokens_(max_tokens) {}

Location Lexer::locationOf(std::size_t at) const {
  return {line_, static_cast<std::uint32_t>(at - line_start_ + 1)};
}

Token Lexer::fail(std::string message, std::size_t at) {
  error_ = "Syntax Error: " + std::move(message);
  error_loc_ = locationOf(at);
  Token t;
  t.kind = TokenKind::Error;
  t.loc = error_loc_;
  return t;
}

void Lexer::skipIgnored() {
  while (pos_ < src_.size()) {
    char c = src_[pos_];
    if (c == ' ' || c == '\t' || c == ',') {
      ++pos_;
    } else if (c == '\n') {
      ++pos_;
      ++line_;
      line_start_ = pos_;
    } else if (c == '\r') {
      ++pos_;
      if (pos_ < src_.size() && src_[pos_] == '\n') ++pos_;
      ++line_;
      line_start_ = pos_;
    } else if (c == '#') {
      while (pos_ < src_.size() && src_[pos_] != '\n' && src_[pos_] != '\r') ++pos_;
    } else if (src_.substr(pos_, 3) == "\xEF\xBB\xBF") {
      pos_ += 3;
    } else {
      return;
    }
  }
}

Token Lexer::next() {
  skipIgnored();
  Token t;
  t.loc = locationOf(pos_);
  if (pos_ >= src_.size()) {
    t.kind = TokenKind::End;
    return t;
  }
  if (++tokens_ > max_tokens_)
    return fail("Document contains more than " + std::to_string(max_tokens_) + " tokens. Parsing aborted.", pos_);
  std::size_t start = pos_;
  char c = src_[pos_];
  auto punct = [&](TokenKind kind, std::size_t n = 1) {
    t.kind = kind;
    t.text = src_.substr(start, n);
    pos_ += n;
    return t;
  };
  switch (c) {
    case '!': return punct(TokenKind::Bang);
    case '$': return punct(TokenKind::Dollar);
    case '&': return punct(TokenKind::Amp);
    case '(': return punct(TokenKind::ParenL);
    case ')': return punct(TokenKind::ParenR);
    case ':': return punct(TokenKind::Colon);
    case '=': return punct(TokenKind::Equals);
    case '@': return punct(TokenKind::At);
    case '[': return punct(TokenKind::BracketL);
    case ']': return punct(TokenKind::BracketR);
    case '{': return punct(TokenKind::BraceL);
    case '|': return punct(TokenKind::Pipe);
    case '}': return punct(TokenKind::BraceR);
    case '.':
      if (src_.substr(pos_, 3) == "...") return punct(TokenKind::Spread, 3);
      return fail("Unexpected \".\".", pos_);
    case '"':
      if (src_.substr(pos_, 3) == "\"\"\"") return readBlockString(start);
      return readString(start);
    default: break;
  }
  if (isNameStart(c)) {
    while (pos_ < src_.size() && isNameContinue(src_[pos_])) ++pos_;
    t.kind = TokenKind::Name;
    t.text = src_.substr(start, pos_ - start);
    return t;
  }
  if (isDigit(c) || c == '-') return readNumber(start);
  if (c == '\'') return fail("Unexpected single quote character ('), did you mean to use a double quote (\")?", pos_);
  return fail("Unexpected character: " + printChar(c) + ".", pos_);
}

Token Lexer::readNumber(std::size_t start) {
  bool is_float = false;
  if (src_[pos_] == '-') ++pos_;
  if (pos_ < src_.size() && src_[pos_] == '0') {
    ++pos_;
    if (pos_ < src_.size() && isDigit(src_[pos_]))
      return fail("Invalid number, unexpected digit after 0: " + printChar(src_[pos_]) + ".", pos_);
  } else {
    if (pos_ >= src_.size() || !isDigit(src_[pos_]))
      return fail("Invalid number, expected digit but got: " +
                      (pos_ < src_.size() ? printChar(src_[pos_]) : std::string("<EOF>")) + ".",
                  pos_);
    while (pos_ < src_.size() && isDigit(src_[pos_])) ++pos_;
  }
  auto digits = [&]() -> bool {
    if (pos_ >= src_.size() || !isDigit(src_[pos_])) return false;
    while (pos_ < src_.size() && isDigit(src_[pos_])) ++pos_;
    return true;
  };
  if (pos_ < src_.size() && src_[pos_] == '.') {
    is_float = true;
    ++pos_;
    if (!digits())
      return fail("Invalid number, expected digit but got: " +
                      (pos_ < src_.size() ? printChar(src_[pos_]) : std::string("<EOF>")) + ".",
                  pos_);
  }
  if (pos_ < src_.size() && (src_[pos_] == 'e' || src_[pos_] == 'E')) {
    is_float = true;
    ++pos_;
    if (pos_ < src_.size() && (src_[pos_] == '+' || src_[pos_] == '-')) ++pos_;
    if (!digits())
      return fail("Invalid number, expected digit but got: " +
                      (pos_ < src_.size() ? printChar(src_[pos_]) : std::string("<EOF>")) + ".",
                  pos_);
  }
  if (pos_ < src_.size() && (src_[pos_] == '.' || isNameStart(src_[pos_])))
    return fail("Invalid number, expected digit but got: " + printChar(src_[pos_]) + ".", pos_);
  Token t;
  t.kind = is_float ? TokenKind::Float : TokenKind::Int;
  t.loc = locationOf(start);
  t.text = src_.substr(start, pos_ - start);
  return t;
}

Token Lexer::readString(std::size_t start) {
  ++pos_;  // opening quote
  std::size_t chunk = pos_;
  std::string* decoded = nullptr;  // only once an escape is seen
  while (pos_ < src_.size()) {
    char c = src_[pos_];
    if (c == '"') {
      Token t;
      t.kind = TokenKind::String;
      t.loc = locationOf(start);
      t.text = src_.substr(start, pos_ + 1 - start);
      if (decoded) {
        decoded->append(src_.substr(chunk, pos_ - chunk));
        t.value = *decoded;
      } else {
        t.value = src_.substr(chunk, pos_ - chunk);
      }
      ++pos_;
      return t;
    }
    if (c == '\n' || c == '\r') return fail("Unterminated string.", pos_);
    // Since the October 2021 edition any Unicode scalar value but a line terminator may
    // appear in a string, control characters included.
    if (c != '\\') {
      ++pos_;
      continue;
    }
    if (!decoded) decoded = &text_.decoded.emplace_back();
    decoded->append(src_.substr(chunk, pos_ - chunk));
    std::size_t escape_at = pos_;
    if (pos_ + 1 >= src_.size()) return fail("Unterminated string.", pos_ + 1);
    char e = src_[pos_ + 1];
    pos_ += 2;
    switch (e) {
      case '"': decoded->push_back('"'); break;
      case '\\': decoded->push_back('\\'); break;
      case '/': decoded->push_back('/'); break;
      case 'b': decoded->push_back('\b'); break;
      case 'f': decoded->push_back('\f'); break;
      case 'n': decoded->push_back('\n'); break;
      case 'r': decoded->push_back('\r'); break;
      case 't': decoded->push_back('\t'); break;
      case 'u': {
        auto readHex4 = [&](std::size_t at, std::uint32_t& out) {
          if (at + 4 > src_.size()) return false;
          out = 0;
          for (std::size_t i = 0; i < 4; ++i) {
            int h = hexValue(src_[at + i]);
            if (h < 0) return false;
            out = out * 16 + static_cast<std::uint32_t>(h);
          }
          return true;
        };
        std::uint32_t cp = 0;
        if (pos_ < src_.size() && src_[pos_] == '{') {
          // \u{1F600}: graphql-js 16 accepts the braced form (adopted after the 2021 spec).
          std::size_t at = pos_ + 1;
          std::size_t n = 0;
          while (at < src_.size() && hexValue(src_[at]) >= 0 && n < 7) {
            cp = cp * 16 + static_cast<std::uint32_t>(hexValue(src_[at]));
            ++at;
            ++n;
          }
          if (n == 0 || at >= src_.size() || src_[at] != '}' || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return fail("Invalid Unicode escape sequence.", escape_at);
          pos_ = at + 1;
        } else {
          if (!readHex4(pos_, cp)) return fail("Invalid Unicode escape sequence.", escape_at);
          pos_ += 4;
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            std::uint32_t low = 0;
            if (src_.substr(pos_, 2) == "\\u" && readHex4(pos_ + 2, low) && low >= 0xDC00 && low <= 0xDFFF) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
              pos_ += 6;
            } else {
              return fail("Invalid Unicode escape sequence.", escape_at);
            }
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return fail("Invalid Unicode escape sequence.", escape_at);
          }
        }
        appendUtf8(*decoded, cp);
        break;
      }
      default: return fail("Invalid character escape sequence.", escape_at);
    }
    chunk = pos_;
  }
  return fail("Unterminated string.", pos_);
}

Token Lexer::readBlockString(std::size_t start) {
  Location loc = locationOf(start);
  pos_ += 3;
  std::string raw;
  std::size_t chunk = pos_;
  while (pos_ < src_.size()) {
    char c = src_[pos_];
    if (c == '"' && src_.substr(pos_, 3) == "\"\"\"") {
      raw.append(src_.substr(chunk, pos_ - chunk));
      pos_ += 3;
      Token t;
      t.kind = TokenKind::BlockString;
      t.loc = loc;
      t.text = src_.substr(start, pos_ - start);
      t.value = text_.decoded.emplace_back(blockStringValue(raw));
      return t;
    }
    if (c == '\\' && src_.substr(pos_, 4) == "\\\"\"\"") {
      raw.append(src_.substr(chunk, pos_ - chunk));
      raw.append("\"\"\"");
      pos_ += 4;
      chunk = pos_;
      continue;
    }
    if (c == '\n' || c == '\r') {
      ++pos_;
      if (c == '\r' && pos_ < src_.size() && src_[pos_] == '\n') ++pos_;
      ++line_;
      line_start_ = pos_;
      continue;
    }
    ++pos_;
  }
  return fail("Unterminated string.", pos_);
}

std::string blockStringValue(std::string_view raw) {
  std::vector<std::string_view> lines;
  std::size_t at = 0;
  while (true) {
    std::size_t nl = raw.find_first_of("\r\n", at);
    if (nl == std::string_view::npos) {
      lines.push_back(raw.substr(at));
      break;
    }
    lines.push_back(raw.substr(at, nl - at));
    at = nl + ((raw[nl] == '\r' && nl + 1 < raw.size() && raw[nl + 1] == '\n') ? 2 : 1);
  }
  std::size_t common = std::string_view::npos;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::size_t indent = 0;
    while (indent < lines[i].size() && isWhite(lines[i][indent])) ++indent;
    if (indent < lines[i].size() && indent < common) common = indent;
  }
  if (common != std::string_view::npos)
    for (std::size_t i = 1; i < lines.size(); ++i)
      lines[i].remove_prefix(std::min(common, lines[i].size()));
  auto blank = [](std::string_view l) {
    for (char c : l)
      if (!isWhite(c)) return false;
    return true;
  };
  std::size_t first = 0, last = lines.size();
  while (first < last && blank(lines[first])) ++first;
  while (last > first && blank(lines[last - 1])) --last;
  std::string out;
  for (std::size_t i = first; i < last; ++i) {
    if (i > first) out.push_back('\n');
    out.append(lines[i]);
  }
  return out;
}

}  // namespace sg::graphql
