#pragma once
// GraphQL's lexical grammar (spec §2.1): punctuators, names, numbers, strings and block
// strings; whitespace, commas, comments and the byte order mark are skipped. One token at
// a time, no allocation except for strings that need decoding (kept in SourceText::decoded).
#include "graphql/ast.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sg::graphql {

enum class TokenKind : std::uint8_t {
  End, Bang, Dollar, Amp, ParenL, ParenR, Spread, Colon, Equals, At, BracketL, BracketR,
  BraceL, Pipe, BraceR, Name, Int, Float, String, BlockString, Error,
};

// How a token kind is named in syntax errors ("Expected Name, found <EOF>").
std::string_view describe(TokenKind kind);

struct Token {
  TokenKind kind = TokenKind::End;
  Location loc;
  std::string_view text;   // as written (for Name, Int, Float, punctuators)
  std::string_view value;  // String, BlockString: the decoded value
};

class Lexer {
 public:
  // `text` must be the SourceText's own `source`.
  Lexer(ast::SourceText& text, std::size_t max_tokens);

  // The next token; TokenKind::Error with error() set on bad input or too many tokens.
  Token next();
  const std::string& error() const { return error_; }
  Location errorLocation() const { return error_loc_; }

 private:
  Token fail(std::string message, std::size_t at);
  Location locationOf(std::size_t at) const;
  void skipIgnored();
  Token readNumber(std::size_t start);
  Token readString(std::size_t start);
  Token readBlockString(std::size_t start);

  ast::SourceText& text_;
  std::string_view src_;
  std::size_t pos_ = 0;
  std::uint32_t line_ = 1;
  std::size_t line_start_ = 0;
  std::size_t tokens_ = 0;
  std::size_t max_tokens_;
  std::string error_;
  Location error_loc_;
};

// The value of a block string's raw content (between the quotes, \""" already unescaped):
// common indentation removed, blank first and last lines dropped (spec §2.9.5).
std::string blockStringValue(std::string_view raw);

}  // namespace sg::graphql
