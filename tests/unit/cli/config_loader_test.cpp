// Building the Config from a TOML file, SOCKGUARD_* variables and flags, in that order.
#include "cli/config_loader.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace sg::cli {
namespace {

// A TOML file in the test's temporary directory, removed afterwards.
class TomlFile {
 public:
  explicit TomlFile(std::string_view text) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::path(::testing::TempDir()) /
            (std::string("sockguard_") + info->test_suite_name() + "_" + info->name() + ".toml");
    std::ofstream(path_) << text;
  }
  ~TomlFile() { std::filesystem::remove(path_); }
  TomlFile(const TomlFile&) = delete;
  TomlFile& operator=(const TomlFile&) = delete;
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

TEST(ConfigLoader, DefaultsWithoutSources) {
  auto loaded = loadConfig({});
  ASSERT_EQ(loaded.error, "");
  EXPECT_EQ(loaded.config.server.listen, "127.0.0.1:4000");
  EXPECT_EQ(loaded.config.limits.frame_bytes, 64u * 1024);
  EXPECT_EQ(loaded.config.limits.topics_per_socket, 100);
  EXPECT_EQ(loaded.config.auth.ticket_ttl_s, 10);
  EXPECT_EQ(loaded.config.auth.reject_with, "auto");
  EXPECT_EQ(loaded.config.channels.public_topics, std::vector<std::string>{"room:*"});
}

TEST(ConfigLoader, ReadsTomlSections) {
  TomlFile file(R"(
[server]
listen = "0.0.0.0:8080"
threads = 4

[limits]
frame_bytes = 131072
messages_per_s = 12.5

[auth]
allowed_origins = ["https://app.example.com", "https://*.example.org"]
query_token = true

[log]
level = "debug"
)");
  auto loaded = loadConfig({file.path(), {}, {}});
  ASSERT_EQ(loaded.error, "");
  const Config& c = loaded.config;
  EXPECT_EQ(c.server.listen, "0.0.0.0:8080");
  EXPECT_EQ(c.server.threads, 4);
  EXPECT_EQ(c.limits.frame_bytes, 131072u);
  EXPECT_DOUBLE_EQ(c.limits.messages_per_s, 12.5);
  EXPECT_EQ(c.auth.allowed_origins, (std::vector<std::string>{"https://app.example.com", "https://*.example.org"}));
  EXPECT_TRUE(c.auth.query_token);
  EXPECT_EQ(c.log.level, "debug");
  EXPECT_EQ(c.limits.body_bytes, 64u * 1024);  // untouched keys keep their defaults
}

TEST(ConfigLoader, TomlFloatsKeepTheirPrecision) {
  TomlFile file("[limits]\nhandshakes_per_ip_per_s = 123456.75\nmessages_per_s = 0.123456789\n");
  auto loaded = loadConfig({file.path(), {}, {}});
  ASSERT_EQ(loaded.error, "");
  EXPECT_DOUBLE_EQ(loaded.config.limits.handshakes_per_ip_per_s, 123456.75);
  EXPECT_DOUBLE_EQ(loaded.config.limits.messages_per_s, 0.123456789);
}

TEST(ConfigLoader, UnknownKeyInFileIsNamed) {
  TomlFile file("[limits]\nframe_byte = 10\n");
  auto loaded = loadConfig({file.path(), {}, {}});
  EXPECT_NE(loaded.error.find("unknown key 'limits.frame_byte'"), std::string::npos) << loaded.error;
  EXPECT_NE(loaded.error.find(file.path()), std::string::npos) << loaded.error;
}

TEST(ConfigLoader, TopLevelKeyIsRefused) {
  TomlFile file("listen = \"0.0.0.0:1\"\n");
  auto loaded = loadConfig({file.path(), {}, {}});
  EXPECT_NE(loaded.error.find("listen"), std::string::npos) << loaded.error;
}

TEST(ConfigLoader, BadValueInFileNamesTheKey) {
  TomlFile file("[limits]\nframe_bytes = \"lots\"\n");
  auto loaded = loadConfig({file.path(), {}, {}});
  EXPECT_NE(loaded.error.find("limits.frame_bytes"), std::string::npos) << loaded.error;
  EXPECT_NE(loaded.error.find("lots"), std::string::npos) << loaded.error;
}

TEST(ConfigLoader, OutOfRangeValueInFileNamesTheKey) {
  TomlFile file("[limits]\nframe_bytes = 1\n");
  auto loaded = loadConfig({file.path(), {}, {}});
  EXPECT_NE(loaded.error.find("limits.frame_bytes"), std::string::npos) << loaded.error;
  EXPECT_NE(loaded.error.find("between"), std::string::npos) << loaded.error;
}

TEST(ConfigLoader, TomlSyntaxErrorIsReported) {
  TomlFile file("[limits\nframe_bytes = 1\n");
  auto loaded = loadConfig({file.path(), {}, {}});
  EXPECT_NE(loaded.error.find("line"), std::string::npos) << loaded.error;
}

TEST(ConfigLoader, MissingFileIsAnError) {
  auto loaded = loadConfig({std::string("/nonexistent/sockguard.toml"), {}, {}});
  EXPECT_NE(loaded.error, "");
}

TEST(ConfigLoader, ListOfNonStringsIsRefused) {
  TomlFile file("[auth]\nallowed_origins = [1, 2]\n");
  auto loaded = loadConfig({file.path(), {}, {}});
  EXPECT_NE(loaded.error.find("auth.allowed_origins"), std::string::npos) << loaded.error;
}

TEST(ConfigLoader, EnvironmentOverridesFile) {
  TomlFile file("[limits]\nframe_bytes = 131072\nbody_bytes = 1000\n");
  auto loaded = loadConfig({file.path(), {{"SOCKGUARD_LIMITS_FRAME_BYTES", "262144"}}, {}});
  ASSERT_EQ(loaded.error, "");
  EXPECT_EQ(loaded.config.limits.frame_bytes, 262144u);
  EXPECT_EQ(loaded.config.limits.body_bytes, 1000u);
}

TEST(ConfigLoader, FlagsOverrideEnvironment) {
  auto loaded = loadConfig({std::nullopt,
                            {{"SOCKGUARD_LIMITS_FRAME_BYTES", "262144"}, {"SOCKGUARD_LOG_LEVEL", "warn"}},
                            {{"limits.frame_bytes", "524288"}}});
  ASSERT_EQ(loaded.error, "");
  EXPECT_EQ(loaded.config.limits.frame_bytes, 524288u);
  EXPECT_EQ(loaded.config.log.level, "warn");
}

TEST(ConfigLoader, EnvironmentListsAreCommaSeparated) {
  auto loaded = loadConfig({std::nullopt, {{"SOCKGUARD_AUTH_TRUSTED_PROXIES", "10.0.0.1, 10.0.0.0/8"}}, {}});
  ASSERT_EQ(loaded.error, "");
  EXPECT_EQ(loaded.config.auth.trusted_proxies, (std::vector<std::string>{"10.0.0.1", "10.0.0.0/8"}));
}

TEST(ConfigLoader, UnknownEnvironmentVariableIsAWarningThatNamesItButNotItsValue) {
  // Platforms set SOCKGUARD_* variables of their own (a container's SOCKGUARD_VERSION):
  // the start goes on, the settings around them still apply.
  auto loaded = loadConfig({std::nullopt,
                            {{"SOCKGUARD_VERSION", "s3cr3t-value"},
                             {"SOCKGUARD_LIMITS_FRAME_BYTES", "131072"},
                             {"SOCKGUARD_LIMITS_NOPE", "1"}},
                            {}});
  EXPECT_EQ(loaded.error, "");
  EXPECT_EQ(loaded.config.limits.frame_bytes, 131072u);
  ASSERT_EQ(loaded.warnings.size(), 2u);
  EXPECT_NE(loaded.warnings[0].find("SOCKGUARD_VERSION"), std::string::npos) << loaded.warnings[0];
  EXPECT_EQ(loaded.warnings[0].find("s3cr3t-value"), std::string::npos) << loaded.warnings[0];
  EXPECT_NE(loaded.warnings[1].find("SOCKGUARD_LIMITS_NOPE"), std::string::npos) << loaded.warnings[1];
}

TEST(ConfigLoader, KnownSettingsLeaveNoWarning) {
  auto loaded = loadConfig({std::nullopt, {{"SOCKGUARD_LOG_LEVEL", "debug"}}, {{"limits.frame_bytes", "4096"}}});
  EXPECT_EQ(loaded.error, "");
  EXPECT_TRUE(loaded.warnings.empty());
}

TEST(ConfigLoader, UnknownFlagStillStopsTheStart) {
  auto loaded = loadConfig({std::nullopt, {{"SOCKGUARD_VERSION", "1.2"}}, {{"limits.nope", "1"}}});
  EXPECT_NE(loaded.error.find("limits.nope"), std::string::npos) << loaded.error;
  EXPECT_EQ(loaded.warnings.size(), 1u) << "the warnings gathered so far are kept";
}

TEST(ConfigLoader, BadEnvironmentValueNamesTheVariable) {
  auto loaded = loadConfig({std::nullopt, {{"SOCKGUARD_LIMITS_MESSAGES_PER_S", "nan"}}, {}});
  EXPECT_NE(loaded.error.find("SOCKGUARD_LIMITS_MESSAGES_PER_S"), std::string::npos) << loaded.error;
}

TEST(ConfigLoader, BadFlagNamesTheFlag) {
  auto loaded = loadConfig({std::nullopt, {}, {{"log.level", "loud"}}});
  EXPECT_NE(loaded.error.find("--log-level"), std::string::npos) << loaded.error;
}

TEST(ConfigLoader, ChoicesAreEnforced) {
  auto loaded = loadConfig({std::nullopt, {}, {{"auth.reject_with", "foo"}}});
  EXPECT_NE(loaded.error.find("--auth-reject-with"), std::string::npos) << loaded.error;
  EXPECT_NE(loaded.error.find("foo"), std::string::npos) << loaded.error;
}

TEST(ConfigLoader, AsymmetricJwtNeedsAPublicKey) {
  auto loaded = loadConfig({std::nullopt, {}, {{"auth.jwt_alg", "RS256"}}});
  EXPECT_NE(loaded.error.find("auth.jwt_public_key_file"), std::string::npos) << loaded.error;
  loaded = loadConfig({std::nullopt, {}, {{"auth.jwt_alg", "RS256"}, {"auth.jwt_public_key_file", "/k.pem"}}});
  EXPECT_EQ(loaded.error, "");
}

TEST(ConfigLoader, ShortApiKeyIsRefused) {
  auto loaded = loadConfig({std::nullopt, {}, {{"server.api_keys", "0123456789abcdef,short"}}});
  EXPECT_NE(loaded.error.find("server.api_keys"), std::string::npos) << loaded.error;
  loaded = loadConfig({std::nullopt, {}, {{"server.api_keys", "0123456789abcdef"}}});
  EXPECT_EQ(loaded.error, "");
}

TEST(ConfigLoader, FrameLimitBeforeAuthMustNotExceedTheLimitAfter) {
  Config c;
  c.limits.frame_bytes_before_auth = 8192;
  c.limits.frame_bytes = 4096;
  EXPECT_NE(validateConfig(c).find("limits.frame_bytes_before_auth"), std::string::npos);
  EXPECT_EQ(validateConfig(Config{}), "");
}

TEST(ConfigLoader, ReadsOnlySockguardVariablesFromTheProcess) {
  ::setenv("SOCKGUARD_UNIT_TEST_PROBE", "a=b", 1);
  auto env = sockguardEnvironment();
  ::unsetenv("SOCKGUARD_UNIT_TEST_PROBE");
  bool found = false;
  for (const auto& [name, value] : env) {
    EXPECT_TRUE(name.starts_with("SOCKGUARD_")) << name;
    if (name == "SOCKGUARD_UNIT_TEST_PROBE") {
      found = true;
      EXPECT_EQ(value, "a=b");
    }
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace sg::cli
