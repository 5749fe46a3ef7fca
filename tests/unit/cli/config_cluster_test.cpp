// The cluster's configuration rules: a Redis URL this build can use, a configured JWT
// secret (nodes must agree), and the URL's password hidden from `serve --help`.
#include "cli/config_keys.hpp"
#include "cli/config_loader.hpp"

#include <gtest/gtest.h>

namespace sg::cli {
namespace {

LoadedConfig load(std::vector<std::pair<std::string, std::string>> flags) { return loadConfig({std::nullopt, {}, flags}); }

TEST(ConfigCluster, EmptyUrlIsASingleNode) { EXPECT_EQ(load({}).error, ""); }

TEST(ConfigCluster, ClusterNeedsAConfiguredJwtSecret) {
  auto loaded = load({{"cluster.redis_url", "redis://127.0.0.1:6379/0"}});
  EXPECT_NE(loaded.error.find("auth.jwt_secret"), std::string::npos) << loaded.error;
  EXPECT_NE(loaded.error.find("every node"), std::string::npos) << loaded.error;
  EXPECT_EQ(load({{"cluster.redis_url", "redis://127.0.0.1:6379/0"}, {"auth.jwt_secret", "s"}}).error, "");
}

TEST(ConfigCluster, AsymmetricKeysNeedNoSecret) {
  auto loaded = load({{"cluster.redis_url", "redis://h:6379"}, {"auth.jwt_alg", "ES256"},
                      {"auth.jwt_public_key_file", "/etc/sockguard/jwt.pub"}});
  EXPECT_EQ(loaded.error, "");
}

TEST(ConfigCluster, TlsIsRefusedWithTheReason) {
  auto loaded = load({{"cluster.redis_url", "rediss://h:6380/0"}, {"auth.jwt_secret", "s"}});
  EXPECT_NE(loaded.error.find("rediss://"), std::string::npos) << loaded.error;
  EXPECT_NE(loaded.error.find("no TLS"), std::string::npos) << loaded.error;
}

TEST(ConfigCluster, BadUrlNamesTheFlagNotThePassword) {
  auto loaded = load({{"cluster.redis_url", "redis://u:hunter2@h:99999/0"}});
  EXPECT_NE(loaded.error.find("--cluster-redis-url"), std::string::npos) << loaded.error;
  EXPECT_EQ(loaded.error.find("hunter2"), std::string::npos) << loaded.error;
}

TEST(ConfigCluster, HelpShowsTheUrlWithoutItsPassword) {
  const auto* key = findConfigKey("cluster.redis_url");
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(key->flagName(), "--cluster-redis-url");
  EXPECT_EQ(key->envName(), "SOCKGUARD_CLUSTER_REDIS_URL");
  Config c;
  ASSERT_EQ(key->set(c, "redis://app:hunter2@h:6379/1"), "");
  EXPECT_EQ(key->show(c), "redis://app:[REDACTED]@h:6379/1");
}

TEST(ConfigCluster, NodeName) {
  const auto* key = findConfigKey("cluster.node_name");
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(key->flagName(), "--cluster-node-name");
}

}  // namespace
}  // namespace sg::cli
