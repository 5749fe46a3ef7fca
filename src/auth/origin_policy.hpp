#pragma once
// Which Origins may open a socket or ask for a ticket (DESIGN §3): exact origins
// ("https://app.example.com") and subdomain wildcards ("https://*.example.com", which
// matches any subdomain at any depth but not example.com itself). Scheme and port must
// match exactly (a default port, :80 for http and :443 for https, is the same as none).
// A foreign Origin is refused before any credential is looked at.
//
// Both the handshake's Origin and the configured entries are parsed before anything is
// compared: scheme "://" host [":" port], where the host is a DNS name (labels of lower-case
// letters, digits and inner hyphens, 1-63 characters, joined by single dots; IDNA
// A-labels "xn--..." are such labels), an IPv4 address, or a bracketed IPv6 address.
// Anything else (empty labels, "\", ";", ",", "_", spaces, user info, a path, "null") is
// malformed and matches nothing, so no spelling trick can make a foreign host end in
// ".example.com".
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sg::auth {

// An Origin split into its parts, lower case, with the default port removed.
struct ParsedOrigin {
  std::string scheme;  // "https"
  std::string host;    // "app.example.com", "127.0.0.1", "[::1]"
  std::string port;    // "" or "8443"
};

// nullopt when `origin` is not a well-formed scheme://host[:port].
std::optional<ParsedOrigin> parseOrigin(std::string_view origin);

class OriginPolicy {
 public:
  // Returns nullopt and sets *error for an entry that is not scheme://host[:port] (with an
  // optional "*." before the host).
  static std::optional<OriginPolicy> parse(const std::vector<std::string>& allowed, std::string* error);
  bool allows(std::string_view origin) const;
  const std::vector<std::string>& entries() const { return entries_; }

 private:
  struct Entry {
    ParsedOrigin origin;  // for wildcards, the host after "*."
    bool wildcard = false;
  };
  std::vector<Entry> parsed_;
  // The exact entries as a browser writes them (lower case, no default port): an Origin
  // spelled so is one of them without being parsed, which every handshake would
  // otherwise do.
  std::vector<std::string> canonical_;
  std::vector<std::string> entries_;
};

}  // namespace sg::auth
