// The TLS keys: server.tls_cert_file / server.tls_key_file (both or neither, flags
// --tls-cert-file / --tls-key-file as DESIGN §7a says) and server.hsts_max_age_s.
#include "cli/config_keys.hpp"
#include "cli/config_loader.hpp"

#include <gtest/gtest.h>

namespace sg::cli {
namespace {

TEST(ConfigTls, FlagsAndEnvironmentNames) {
  const ConfigKey* cert = findConfigKey("server.tls_cert_file");
  const ConfigKey* key = findConfigKey("server.tls_key_file");
  const ConfigKey* hsts = findConfigKey("server.hsts_max_age_s");
  ASSERT_NE(cert, nullptr);
  ASSERT_NE(key, nullptr);
  ASSERT_NE(hsts, nullptr);
  EXPECT_EQ(cert->flagName(), "--tls-cert-file");
  EXPECT_EQ(key->flagName(), "--tls-key-file");
  EXPECT_EQ(hsts->flagName(), "--hsts-max-age-s");
  EXPECT_EQ(cert->envName(), "SOCKGUARD_SERVER_TLS_CERT_FILE");
}

TEST(ConfigTls, OffByDefault) {
  auto loaded = loadConfig({});
  ASSERT_EQ(loaded.error, "");
  EXPECT_EQ(loaded.config.server.tls_cert_file, "");
  EXPECT_EQ(loaded.config.server.tls_key_file, "");
  EXPECT_EQ(loaded.config.server.hsts_max_age_s, 0);
}

TEST(ConfigTls, BothFilesAreTaken) {
  auto loaded = loadConfig({std::nullopt,
                            {{"SOCKGUARD_SERVER_TLS_KEY_FILE", "/etc/sg/key.pem"}},
                            {{"server.tls_cert_file", "/etc/sg/cert.pem"}, {"server.hsts_max_age_s", "31536000"}}});
  ASSERT_EQ(loaded.error, "");
  EXPECT_EQ(loaded.config.server.tls_cert_file, "/etc/sg/cert.pem");
  EXPECT_EQ(loaded.config.server.tls_key_file, "/etc/sg/key.pem");
  EXPECT_EQ(loaded.config.server.hsts_max_age_s, 31536000);
}

TEST(ConfigTls, OneFileWithoutTheOtherIsRefused) {
  auto cert_only = loadConfig({std::nullopt, {}, {{"server.tls_cert_file", "/etc/sg/cert.pem"}}});
  EXPECT_EQ(cert_only.error, "server.tls_key_file: required when server.tls_cert_file is set");
  auto key_only = loadConfig({std::nullopt, {}, {{"server.tls_key_file", "/etc/sg/key.pem"}}});
  EXPECT_EQ(key_only.error, "server.tls_cert_file: required when server.tls_key_file is set");
}

TEST(ConfigTls, HstsMaxAgeIsBounded) {
  auto negative = loadConfig({std::nullopt, {}, {{"server.hsts_max_age_s", "-1"}}});
  EXPECT_NE(negative.error.find("--hsts-max-age-s"), std::string::npos) << negative.error;
  auto huge = loadConfig({std::nullopt, {}, {{"server.hsts_max_age_s", "1000000000"}}});
  EXPECT_NE(huge.error.find("must be between 0 and"), std::string::npos) << huge.error;
}

}  // namespace
}  // namespace sg::cli
