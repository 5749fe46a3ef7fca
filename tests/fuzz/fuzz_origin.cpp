// OriginPolicy::parse and allows: never throw, every allowed entry admits itself (a
// wildcard admits a subdomain, never its apex alone), comparison ignores case, and an
// allowed Origin is a bare scheme://host[:port] whose host is a well-formed name or
// address (no empty label, no character outside letters, digits, '-' and '.').
//
// Input lines: line 0 the auth.allowed_origins entries (comma-separated, as in the
// environment), every further line an Origin header to check.
#include "fuzz_support.hpp"

#include "auth/origin_policy.hpp"

#include <algorithm>
#include <cctype>
#include <string>

namespace {

using namespace sg;

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::toupper(c); });
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto lines = fuzz::split(fuzz::view(data, size));
  if (lines.empty()) return 0;
  std::vector<std::string> entries;
  for (auto e : fuzz::split(lines[0], ',')) entries.emplace_back(e);
  std::string error;
  auto policy = auth::OriginPolicy::parse(entries, &error);
  if (!policy) {
    FUZZ_CHECK(!error.empty());
    return 0;
  }
  FUZZ_CHECK(policy->entries() == entries);
  for (const auto& e : entries) {
    auto star = e.find("://*.");
    if (star == std::string::npos) {
      FUZZ_CHECK(policy->allows(e));
      continue;
    }
    std::string sub = e, apex = e;
    sub.replace(star + 3, 1, "a");
    apex.erase(star + 3, 2);
    FUZZ_CHECK(policy->allows(sub));
    if (entries.size() == 1) FUZZ_CHECK(!policy->allows(apex));
  }

  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::string_view origin = lines[i];
    bool allowed = policy->allows(origin);
    FUZZ_CHECK(allowed == policy->allows(upper(origin)));
    if (!allowed) continue;
    FUZZ_CHECK(origin != "null");
    auto sep = origin.find("://");
    FUZZ_CHECK(sep != std::string_view::npos && sep > 0);
    FUZZ_CHECK(origin.substr(sep + 3).find_first_of("/?#@ ") == std::string_view::npos);
    auto parsed = auth::parseOrigin(origin);
    FUZZ_CHECK(parsed.has_value());
    const std::string& host = parsed->host;
    if (!host.starts_with('[')) {
      FUZZ_CHECK(!host.empty() && host.front() != '.' && host.back() != '.' && host.find("..") == std::string::npos);
      FUZZ_CHECK(std::all_of(host.begin(), host.end(), [](unsigned char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
      }));
    }
  }
  return 0;
}
