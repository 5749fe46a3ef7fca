#pragma once
// Beast's HTTP/1.1 parser (its grammar, header and body limits, chunked bodies, errors)
// delivering straight into the Beast-free http::Request: the method, target, fields and
// body land in the request as they are parsed, with no Beast message (a list node per
// field) in between to copy from. Internal to net/.
#include "http/request.hpp"

#include <boost/beast/http/basic_parser.hpp>

#include <cstdint>

namespace sg::net {

class RequestParser final : public boost::beast::http::basic_parser<true> {
 public:
  RequestParser(std::uint32_t head_limit, std::uint64_t content_limit);

  // Before the first bytes: the head is at most this long (the bytes at hand, capped by the
  // header limit), so its fields take one allocation.
  void expectHead(std::size_t bytes);

  // Once is_done(): the method, target, headers and body (net/ adds the rest).
  http::Request release() { return std::move(request_); }

 private:
  using string_view = boost::beast::string_view;
  using error_code = boost::beast::error_code;

  // basic_parser<true>
  void on_request_impl(boost::beast::http::verb method, string_view method_str, string_view target, int version,
                       error_code& ec) override;
  void on_response_impl(int status, string_view reason, int version, error_code& ec) override;
  void on_field_impl(boost::beast::http::field name, string_view name_string, string_view value,
                     error_code& ec) override;
  void on_header_impl(error_code& ec) override;
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length, error_code& ec) override;
  std::size_t on_body_impl(string_view body, error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t size, string_view extensions, error_code& ec) override;
  std::size_t on_chunk_body_impl(std::uint64_t remain, string_view body, error_code& ec) override;
  void on_finish_impl(error_code& ec) override;

  std::uint32_t header_limit_;
  http::Request request_;
};

}  // namespace sg::net
