#pragma once
// Redaction of DESIGN §5: secrets are replaced by [REDACTED] before any logger sees a
// request. Applied once where a request enters; loggers only receive the redacted text.
#include <string>
#include <string_view>
#include <vector>

namespace sg::obs {

inline constexpr std::string_view kRedacted = "[REDACTED]";

class Redactor {
 public:
  // `extra_params`: configured query parameter names to redact besides the built-in ones.
  explicit Redactor(std::vector<std::string> extra_params = {});

  // "/socket/websocket?ticket=abc&vsn=2.0.0" -> "/socket/websocket?ticket=[REDACTED]&vsn=2.0.0".
  // Parameter names are compared after percent-decoding, case-insensitively.
  std::string target(std::string_view target) const;
  // The header's value as it may be logged.
  std::string_view header(std::string_view name, std::string_view value) const;
  bool isSecretParam(std::string_view decoded_name) const;
  static bool isSecretHeader(std::string_view name);

 private:
  std::vector<std::string> params_;  // lower case
};

// Short, non-reversible reference to a secret (session id, ticket) for audit events:
// the first 12 hex digits of its SHA-256.
std::string shortHash(std::string_view secret);

}  // namespace sg::obs
