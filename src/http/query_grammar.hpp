#pragma once
// Whether text is a well-formed URI query (RFC 3986 §3.4): query = *( pchar / "/" / "?" ),
// pchar = unreserved / pct-encoded / sub-delims / ":" / "@", pct-encoded = "%" HEXDIG HEXDIG.
// The same verdict as Boost.URL's parse_query (a differential unit test holds them
// together), at a table look-up per byte: parseQuery asks Boost.URL only about a query
// this refuses, so that its verdict stays Boost.URL's.
#include <string_view>

namespace sg::http {

bool isQueryText(std::string_view text);

}  // namespace sg::http
