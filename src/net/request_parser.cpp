#include "net/request_parser.hpp"

#include <algorithm>

namespace sg::net {

RequestParser::RequestParser(std::uint32_t head_limit, std::uint64_t content_limit) : header_limit_(head_limit) {
  header_limit(head_limit);
  body_limit(content_limit);
}

void RequestParser::expectHead(std::size_t bytes) {
  // Only the bytes: the offsets of 16 fields are inline, and a head of more fields (a
  // browser's, with cookies) has no count to reserve for before it is parsed.
  request_.headers.reserve(0, std::min<std::size_t>(bytes, header_limit_));
}

// --- basic_parser<true> ----------------------------------------------------------------

void RequestParser::on_request_impl(boost::beast::http::verb, string_view method_str, string_view target, int,
                                    error_code&) {
  request_.method.assign(method_str.data(), method_str.size());
  request_.target.assign(target.data(), target.size());
}

void RequestParser::on_response_impl(int, string_view, int, error_code&) {}  // a request parser: never called

void RequestParser::on_field_impl(boost::beast::http::field, string_view name_string, string_view value, error_code&) {
  request_.headers.add({name_string.data(), name_string.size()}, {value.data(), value.size()});
}

void RequestParser::on_header_impl(error_code&) {}

void RequestParser::on_body_init_impl(const boost::optional<std::uint64_t>& content_length, error_code&) {
  // The parser has already held a declared length to the body limit.
  if (content_length) request_.body.reserve(static_cast<std::size_t>(*content_length));
}

std::size_t RequestParser::on_body_impl(string_view body, error_code&) {
  request_.body.append(body.data(), body.size());
  return body.size();
}

void RequestParser::on_chunk_header_impl(std::uint64_t, string_view, error_code&) {}  // extensions are ignored

std::size_t RequestParser::on_chunk_body_impl(std::uint64_t, string_view body, error_code&) {
  request_.body.append(body.data(), body.size());
  return body.size();
}

void RequestParser::on_finish_impl(error_code&) {}

}  // namespace sg::net
