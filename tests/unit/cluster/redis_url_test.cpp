// cluster.redis_url: what parses, what is refused and why, and that the password never
// appears in what may be logged.
#include "cluster/redis_url.hpp"

#include <gtest/gtest.h>

namespace sg::cluster {
namespace {

RedisEndpoint parsed(std::string_view url) {
  std::string error;
  auto e = parseRedisUrl(url, &error);
  EXPECT_TRUE(e) << url << ": " << error;
  return e.value_or(RedisEndpoint{});
}

std::string refusal(std::string_view url) {
  std::string error;
  EXPECT_FALSE(parseRedisUrl(url, &error)) << url;
  return error;
}

TEST(RedisUrl, HostAndPortWithDefaults) {
  auto e = parsed("redis://127.0.0.1:6380");
  EXPECT_EQ(e.host, "127.0.0.1");
  EXPECT_EQ(e.port, 6380);
  EXPECT_EQ(e.db, 0);
  EXPECT_TRUE(e.user.empty());
  EXPECT_TRUE(e.password.empty());
  EXPECT_FALSE(e.tls);
  EXPECT_EQ(parsed("redis://redis.internal").port, 6379);
  EXPECT_EQ(parsed("redis://redis.internal/").db, 0);
}

TEST(RedisUrl, UserPasswordAndDatabase) {
  auto e = parsed("redis://app:s3cr%40t@10.0.0.5:6379/3");
  EXPECT_EQ(e.user, "app");
  EXPECT_EQ(e.password, "s3cr@t");  // percent-decoded
  EXPECT_EQ(e.db, 3);
  auto only_password = parsed("redis://:pw@localhost:6379/0");
  EXPECT_TRUE(only_password.user.empty());
  EXPECT_EQ(only_password.password, "pw");
}

TEST(RedisUrl, Ipv6HostInBrackets) {
  auto e = parsed("redis://[::1]:7000/1");
  EXPECT_EQ(e.host, "::1");
  EXPECT_EQ(e.port, 7000);
  EXPECT_EQ(e.describe(), "redis://[::1]:7000/1");
}

TEST(RedisUrl, TlsSchemeParsesAndIsMarked) { EXPECT_TRUE(parsed("rediss://h:6380/0").tls); }

TEST(RedisUrl, RefusesWhatIsNotARedisUrl) {
  EXPECT_NE(refusal("http://h:6379").find("scheme"), std::string::npos);
  EXPECT_NE(refusal("redis:///0").find("host"), std::string::npos);
  EXPECT_NE(refusal("redis://h:0").find("port"), std::string::npos);
  EXPECT_NE(refusal("redis://h:65536").find("port"), std::string::npos);
  EXPECT_NE(refusal("redis://h:6379/16").find("database"), std::string::npos);
  EXPECT_NE(refusal("redis://h:6379/x").find("database"), std::string::npos);
  EXPECT_NE(refusal("redis://h:6379/0?timeout=1").find("query"), std::string::npos);
  EXPECT_FALSE(refusal("not a url").empty());
}

TEST(RedisUrl, ErrorsNeverRepeatThePassword) {
  for (auto url : {"redis://u:hunter2@h:99999/0", "redis://u:hunter2@h:1/99", "redis://u:hunter2@h:1/0?x=1",
                   "http://u:hunter2@h:1"}) {
    EXPECT_EQ(refusal(url).find("hunter2"), std::string::npos) << url;
  }
}

TEST(RedisUrl, DescribeHidesThePassword) {
  EXPECT_EQ(parsed("redis://app:hunter2@h:6379/2").describe(), "redis://app:[REDACTED]@h:6379/2");
  EXPECT_EQ(parsed("redis://:hunter2@h:6379").describe(), "redis://:[REDACTED]@h:6379/0");
  EXPECT_EQ(parsed("redis://h:6379").describe(), "redis://h:6379/0");
}

TEST(RedisUrl, RedactUrlPassword) {
  EXPECT_EQ(redactUrlPassword("redis://app:hunter2@h:6379/2"), "redis://app:[REDACTED]@h:6379/2");
  EXPECT_EQ(redactUrlPassword("redis://:p@ss@h:6379"), "redis://:[REDACTED]@h:6379");
  EXPECT_EQ(redactUrlPassword("redis://app@h:6379"), "redis://app@h:6379");
  EXPECT_EQ(redactUrlPassword("redis://h:6379/0"), "redis://h:6379/0");
  EXPECT_EQ(redactUrlPassword(""), "");
}

}  // namespace
}  // namespace sg::cluster
