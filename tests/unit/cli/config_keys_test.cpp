// The config key table: names, flag and environment spellings, setters.
#include "cli/config_keys.hpp"

#include <gtest/gtest.h>

#include <set>

namespace sg::cli {
namespace {

const ConfigKey& mustFind(std::string_view name) {
  const ConfigKey* k = findConfigKey(name);
  EXPECT_NE(k, nullptr) << name;
  return k ? *k : configKeys().front();
}

TEST(ConfigKey, FlagNames) {
  EXPECT_EQ(mustFind("server.listen").flagName(), "--listen");
  EXPECT_EQ(mustFind("server.data_dir").flagName(), "--data-dir");
  EXPECT_EQ(mustFind("log.level").flagName(), "--log-level");
  EXPECT_EQ(mustFind("limits.frame_bytes").flagName(), "--limits-frame-bytes");
}

TEST(ConfigKey, EnvNames) {
  EXPECT_EQ(mustFind("server.listen").envName(), "SOCKGUARD_SERVER_LISTEN");
  EXPECT_EQ(mustFind("limits.frame_bytes").envName(), "SOCKGUARD_LIMITS_FRAME_BYTES");
  EXPECT_EQ(mustFind("auth.jwt_alg").envName(), "SOCKGUARD_AUTH_JWT_ALG");
}

TEST(ConfigKey, NamesFlagsAndEnvNamesAreUnique) {
  std::set<std::string> names, flags, envs;
  for (const auto& k : configKeys()) {
    EXPECT_TRUE(names.insert(k.name).second) << k.name;
    EXPECT_TRUE(flags.insert(k.flagName()).second) << k.flagName();
    EXPECT_TRUE(envs.insert(k.envName()).second) << k.envName();
    EXPECT_FALSE(k.help.empty()) << k.name;
    EXPECT_NE(k.name.find('.'), std::string::npos) << k.name;
  }
}

TEST(ConfigKey, EveryKeyShowsItsDefaultAndTakesItBack) {
  // What `serve --help` shows must be accepted by the same key's setter unchanged.
  Config defaults;
  for (const auto& k : configKeys()) {
    Config c;
    std::string shown = k.show(defaults);
    EXPECT_EQ(k.set(c, shown), "") << k.name << " = '" << shown << "'";
    EXPECT_EQ(k.show(c), shown) << k.name;
  }
}

TEST(ConfigKey, UnknownNameIsNotFound) {
  EXPECT_EQ(findConfigKey("limits.nope"), nullptr);
  EXPECT_EQ(findConfigKey("listen"), nullptr);
}

TEST(ConfigKey, ListKeysAreMarked) {
  EXPECT_TRUE(mustFind("auth.allowed_origins").is_list);
  EXPECT_TRUE(mustFind("server.api_keys").is_list);
  EXPECT_FALSE(mustFind("server.listen").is_list);
}

TEST(ConfigKey, NumberSetterValidatesRange) {
  Config c;
  const auto& k = mustFind("auth.ticket_ttl_s");
  EXPECT_EQ(k.set(c, "30"), "");
  EXPECT_EQ(c.auth.ticket_ttl_s, 30);
  EXPECT_NE(k.set(c, "61"), "");
  EXPECT_NE(k.set(c, "0"), "");
  EXPECT_NE(k.set(c, "ten"), "");
  EXPECT_NE(k.set(c, "10s"), "");
  EXPECT_NE(k.set(c, ""), "");
  EXPECT_EQ(c.auth.ticket_ttl_s, 30);  // refused values leave the field alone
}

TEST(ConfigKey, SizeSetterRefusesNegatives) {
  Config c;
  EXPECT_NE(mustFind("limits.frame_bytes").set(c, "-1"), "");
  EXPECT_EQ(c.limits.frame_bytes, LimitsConfig{}.frame_bytes);
}

TEST(ConfigKey, RealSetterRefusesNotANumber) {
  Config c;
  const auto& k = mustFind("limits.messages_per_s");
  EXPECT_EQ(k.set(c, "12.5"), "");
  EXPECT_DOUBLE_EQ(c.limits.messages_per_s, 12.5);
  EXPECT_NE(k.set(c, "nan"), "");
  EXPECT_NE(k.set(c, "inf"), "");
  EXPECT_DOUBLE_EQ(c.limits.messages_per_s, 12.5);
}

TEST(ConfigKey, BoolSetter) {
  Config c;
  const auto& k = mustFind("auth.query_token");
  EXPECT_EQ(k.set(c, "yes"), "");
  EXPECT_TRUE(c.auth.query_token);
  EXPECT_EQ(k.set(c, "OFF"), "");
  EXPECT_FALSE(c.auth.query_token);
  EXPECT_NE(k.set(c, "maybe"), "");
}

TEST(ConfigKey, ChoicesAreEnforced) {
  Config c;
  const auto& k = mustFind("auth.reject_with");
  std::string err = k.set(c, "foo");
  EXPECT_NE(err.find("message"), std::string::npos) << err;
  EXPECT_NE(err.find("http"), std::string::npos) << err;
  EXPECT_EQ(c.auth.reject_with, "auto");  // unchanged by the refused value
  EXPECT_EQ(k.set(c, "http"), "");
  EXPECT_EQ(c.auth.reject_with, "http");
}

TEST(ConfigKey, ListSetterSplitsOnCommas) {
  Config c;
  EXPECT_EQ(mustFind("auth.allowed_origins").set(c, " https://a.example , https://*.b.example,,"), "");
  EXPECT_EQ(c.auth.allowed_origins, (std::vector<std::string>{"https://a.example", "https://*.b.example"}));
  EXPECT_EQ(mustFind("auth.allowed_origins").set(c, ""), "");
  EXPECT_TRUE(c.auth.allowed_origins.empty());
}

// Issue 10's keys: the forwarding header is one of three, "never" is gone from
// cookie_secure, log.query_params is a list.
TEST(ConfigKey, Issue10Keys) {
  Config c;
  EXPECT_EQ(c.auth.forwarded_header, "x-forwarded-for");
  EXPECT_EQ(mustFind("auth.forwarded_header").set(c, "forwarded"), "");
  EXPECT_EQ(c.auth.forwarded_header, "forwarded");
  EXPECT_NE(mustFind("auth.forwarded_header").set(c, "x-client-ip"), "");
  EXPECT_NE(mustFind("app.cookie_secure").set(c, "never"), "");
  EXPECT_EQ(mustFind("app.cookie_secure").set(c, "always"), "");
  EXPECT_TRUE(mustFind("log.query_params").is_list);
  EXPECT_EQ(mustFind("log.query_params").set(c, "trace_id, request_id"), "");
  EXPECT_EQ(c.log.query_params, (std::vector<std::string>{"trace_id", "request_id"}));
  EXPECT_NE(mustFind("limits.login_attempts_per_account").set(c, "0"), "");
  EXPECT_EQ(mustFind("limits.registrations_per_ip").set(c, "3"), "");
  EXPECT_EQ(c.limits.registrations_per_ip, 3);
}

TEST(ConfigKey, StoreDatabaseUrl) {
  const auto& k = mustFind("store.database_url");
  EXPECT_EQ(k.flagName(), "--store-database-url");
  EXPECT_EQ(k.envName(), "SOCKGUARD_STORE_DATABASE_URL");
  Config c;
  EXPECT_EQ(c.store.database_url, "") << "SQLite by default";
  EXPECT_EQ(k.set(c, " postgresql://app:s3cret@db:5432/sockguard "), "");
  EXPECT_EQ(c.store.database_url, "postgresql://app:s3cret@db:5432/sockguard");
  EXPECT_EQ(k.show(c), "postgresql://app:[REDACTED]@db:5432/sockguard") << "--help never shows the password";
  EXPECT_EQ(k.set(c, "postgres://db/sockguard"), "");
  auto refused = k.set(c, "mysql://app:s3cret@db/sockguard");
  EXPECT_NE(refused, "");
  EXPECT_EQ(refused.find("s3cret"), std::string::npos) << refused;
  EXPECT_EQ(c.store.database_url, "postgres://db/sockguard") << "a refused value changes nothing";
  EXPECT_EQ(k.set(c, ""), "");
  EXPECT_EQ(c.store.database_url, "");
}

}  // namespace
}  // namespace sg::cli
