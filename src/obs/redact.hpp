#pragma once
// Redaction of DESIGN §5: secrets are replaced by [REDACTED] before any logger sees a
// request. Applied once where a request enters; loggers only receive the redacted text.
//
// Query parameters are logged by allowlist: a parameter whose name is on it (`vsn`, and
// `log.query_params`) is logged as it came when its value is plain ([A-Za-z0-9._~-]); a
// known credential name (`ticket`, `token`, ..., `auth.redact_params`) is logged with its
// value as [REDACTED]; every other parameter becomes [REDACTED]=[REDACTED] (or [REDACTED]
// without a value), so neither a value nor a name reaches the log: a client may put a
// secret in either ("ticket%3DSECRET=1", "ticket+=SECRET").
#include <string>
#include <string_view>
#include <vector>

namespace sg::obs {

inline constexpr std::string_view kRedacted = "[REDACTED]";

class Redactor {
 public:
  // `extra_params`: configured credential parameter names besides the built-in ones.
  // `logged_params`: configured names to log besides `vsn` (a credential name among them
  // stays redacted: the secret list wins).
  explicit Redactor(std::vector<std::string> extra_params = {}, std::vector<std::string> logged_params = {});

  // "/socket/websocket?ticket=abc&vsn=2.0.0&x=1"
  //   -> "/socket/websocket?ticket=[REDACTED]&vsn=2.0.0&[REDACTED]=[REDACTED]".
  // Credential names are compared after percent-decoding, case-insensitively; logged
  // names after percent-decoding, exactly (as the server reads them).
  std::string target(std::string_view target) const;
  // The header's value as it may be logged.
  std::string_view header(std::string_view name, std::string_view value) const;
  bool isSecretParam(std::string_view decoded_name) const;
  bool isLoggedParam(std::string_view decoded_name) const;
  static bool isSecretHeader(std::string_view name);
  // A name that may go on the allowlist: [A-Za-z0-9._-], 1-64 characters.
  static bool validLoggedName(std::string_view name);

 private:
  std::vector<std::string> params_;  // credential names, lower case
  std::vector<std::string> logged_;  // allowlist
};

// A back end's URL as it may be logged or shown (postgresql://, redis://): the password of
// its user part and the values of `password`/`sslpassword` query parameters become
// [REDACTED]. "postgresql://app:s3cret@db:5432/sg" -> "postgresql://app:[REDACTED]@db:5432/sg".
// Conservative: the user part ends at the last '@' (an unescaped '@' in a password must not
// leave its tail behind), and text that is not a URL is [REDACTED] as a whole.
std::string urlForLog(std::string_view url);

// Short, non-reversible reference to a secret (session id, ticket) for audit events:
// the first 12 hex digits of its SHA-256.
std::string shortHash(std::string_view secret);

}  // namespace sg::obs
