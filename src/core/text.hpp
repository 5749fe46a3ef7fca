#pragma once
// Small text utilities shared by the parsers and writers above core.
#include <cstddef>
#include <string>
#include <string_view>

namespace sg {

// `s` without leading and trailing spaces, tabs, CRs and LFs (HTTP's optional whitespace,
// and the line ends a config value may bring).
std::string_view trim(std::string_view s);

// ASCII case-insensitive equality: header names, auth schemes, tokens.
bool iequals(std::string_view a, std::string_view b);

// Appends `s` escaped for the inside of a JSON string (quotes not included) as
// JavaScript's JSON.stringify writes it: `"` and `\`, \b \f \n \r \t, other control
// characters as \u00XX. Other bytes, UTF-8 included, as is.
void appendJsonEscaped(std::string& out, std::string_view s);
// The same as a JSON string literal: quoted.
void appendJsonString(std::string& out, std::string_view s);
// How many bytes those two append for `s`: what a writer that sizes its output first
// (the Phoenix frame encoder) counts.
std::size_t jsonEscapedSize(std::string_view s);
inline std::size_t jsonStringSize(std::string_view s) { return jsonEscapedSize(s) + 2; }

}  // namespace sg
