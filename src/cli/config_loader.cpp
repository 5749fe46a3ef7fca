#include "cli/config_loader.hpp"

#include "cli/config_keys.hpp"
#include "cluster/redis_url.hpp"

#include <toml++/toml.h>

#include <charconv>
#include <sstream>

extern char** environ;

namespace sg::cli {
namespace {

// A TOML value as the text the key's setter parses.
std::optional<std::string> tomlText(const toml::node& node, bool is_list) {
  if (is_list) {
    const auto* array = node.as_array();
    if (!array) {
      if (auto s = node.value<std::string>()) return *s;  // a single string is a one-item list
      return std::nullopt;
    }
    std::string out;
    for (const auto& item : *array) {
      auto s = item.value<std::string>();
      if (!s) return std::nullopt;
      out += (out.empty() ? "" : ",") + *s;
    }
    return out;
  }
  if (auto s = node.as_string()) return s->get();
  if (auto i = node.as_integer()) return std::to_string(i->get());
  if (auto f = node.as_floating_point()) {
    // Shortest text that reads back as the same double (an ostream would keep 6 digits).
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, f->get());
    return std::string(buf, end);
  }
  if (auto b = node.as_boolean()) return std::string(b->get() ? "true" : "false");
  return std::nullopt;
}

std::string applyFile(Config& config, const std::string& path) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << "config file " << path << ": " << e.description() << " (line " << e.source().begin.line << ")";
    return os.str();
  }
  for (const auto& [section, node] : root) {
    const auto* table = node.as_table();
    if (!table) return "config file " + path + ": '" + std::string(section.str()) + "' must be a [section]";
    for (const auto& [name, value] : *table) {
      std::string full = std::string(section.str()) + "." + std::string(name.str());
      const ConfigKey* key = findConfigKey(full);
      if (!key) return "config file " + path + ": unknown key '" + full + "'";
      auto text = tomlText(value, key->is_list);
      if (!text) return "config file " + path + ": " + full + ": unsupported value type";
      if (auto err = key->set(config, *text); !err.empty()) return "config file " + path + ": " + full + ": " + err;
    }
  }
  return {};
}

}  // namespace

LoadedConfig loadConfig(const ConfigSources& sources) {
  LoadedConfig out;
  if (sources.file) {
    if (auto err = applyFile(out.config, *sources.file); !err.empty()) return {out.config, err, {}};
  }
  for (const auto& [name, value] : sources.env) {
    const ConfigKey* key = nullptr;
    for (const auto& k : configKeys())
      if (k.envName() == name) key = &k;
    if (!key) {
      // Not ours to refuse (SOCKGUARD_VERSION, SOCKGUARD_BIN...); the value may be anything,
      // a secret included, so only the name is repeated.
      out.warnings.push_back("environment: ignoring " + name + ", which is not a sockguard setting");
      continue;
    }
    if (auto err = key->set(out.config, value); !err.empty()) return {out.config, name + ": " + err, out.warnings};
  }
  for (const auto& [name, value] : sources.flags) {
    const ConfigKey* key = findConfigKey(name);
    if (!key) return {out.config, "unknown option for " + name, out.warnings};
    if (auto err = key->set(out.config, value); !err.empty()) {
      return {out.config, key->flagName() + ": " + err, out.warnings};
    }
  }
  out.error = validateConfig(out.config);
  return out;
}

std::string validateConfig(const Config& c) {
  bool asymmetric = c.auth.jwt_alg == "RS256" || c.auth.jwt_alg == "ES256" || c.auth.jwt_alg == "EdDSA";
  if (asymmetric && c.auth.jwt_public_key_file.empty()) {
    return "auth.jwt_public_key_file: required when auth.jwt_alg is " + c.auth.jwt_alg;
  }
  if (c.limits.frame_bytes_before_auth > c.limits.frame_bytes) {
    return "limits.frame_bytes_before_auth: must not exceed limits.frame_bytes";
  }
  if (c.server.tls_cert_file.empty() != c.server.tls_key_file.empty()) {
    return c.server.tls_cert_file.empty() ? "server.tls_cert_file: required when server.tls_key_file is set"
                                          : "server.tls_key_file: required when server.tls_cert_file is set";
  }
  for (const auto& k : c.server.api_keys) {
    if (k.size() < 16) return "server.api_keys: each key must be at least 16 characters";
  }
  if (auto err = validateClusterConfig(c); !err.empty()) return err;
  return {};
}

std::string validateClusterConfig(const Config& c) {
  if (c.cluster.redis_url.empty()) return {};
  // Checked again here: the URL was valid when set, but only this says rediss:// is refused.
  std::string error;
  auto endpoint = cluster::parseRedisUrl(c.cluster.redis_url, &error);
  if (!endpoint) return "cluster.redis_url: " + error;
  if (endpoint->tls) {
    return "cluster.redis_url: rediss:// (TLS) is not supported: this build's hiredis (Debian 12, 0.14) has no "
           "TLS; use redis:// on a private network or a TLS tunnel (stunnel, spiped) to Redis";
  }
  bool asymmetric = c.auth.jwt_alg == "RS256" || c.auth.jwt_alg == "ES256" || c.auth.jwt_alg == "EdDSA";
  if (!asymmetric && c.auth.jwt_secret.empty()) {
    return "auth.jwt_secret: required with cluster.redis_url: every node of a cluster must verify the tokens the "
           "others accept, so a secret generated for one node (the single-node default) cannot be used";
  }
  return {};
}

std::vector<std::pair<std::string, std::string>> sockguardEnvironment() {
  std::vector<std::pair<std::string, std::string>> out;
  for (char** e = environ; e && *e; ++e) {
    std::string_view entry(*e);
    if (!entry.starts_with("SOCKGUARD_")) continue;
    auto eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    out.emplace_back(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return out;
}

}  // namespace sg::cli
