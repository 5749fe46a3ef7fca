#pragma once
// Which Origins may open a socket or ask for a ticket (DESIGN §3): exact origins
// ("https://app.example.com") and subdomain wildcards ("https://*.example.com", which
// matches any subdomain at any depth but not example.com itself). Scheme and port must
// match exactly. A foreign Origin is refused before any credential is looked at.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sg::auth {

class OriginPolicy {
 public:
  // Returns nullopt and sets *error for an entry that is not scheme://host[:port].
  static std::optional<OriginPolicy> parse(const std::vector<std::string>& allowed, std::string* error);
  bool allows(std::string_view origin) const;
  const std::vector<std::string>& entries() const { return entries_; }

 private:
  struct Entry {
    std::string scheme;  // "https"
    std::string host;    // "app.example.com" or, for wildcards, "example.com"
    std::string port;    // "" or "8443"
    bool wildcard = false;
  };
  std::vector<Entry> parsed_;
  std::vector<std::string> entries_;
};

}  // namespace sg::auth
