// loadConfig on any TOML file, then the start-up steps of `sockguard serve` that read the
// loaded values (trusted proxies, allowed origins, redacted parameters, public topic
// patterns): a bad config is an error message naming the key, never a crash or an
// exception out of the loader.
//
// The loader reads a path, so the input goes to an in-memory file (memfd) opened through
// /proc/self/fd: no disk writes, one file for the whole run.
#include "fuzz_support.hpp"

#include "app/builtin_channels.hpp"
#include "auth/origin_policy.hpp"
#include "cli/config_loader.hpp"
#include "http/client_ip.hpp"
#include "obs/redact.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <string>

namespace {

int memFile() {
  static const int fd = [] {
    int f = memfd_create("sockguard-fuzz-config", 0);
    FUZZ_CHECK(f >= 0);
    return f;
  }();
  return fd;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sg;
  int fd = memFile();
  FUZZ_CHECK(ftruncate(fd, 0) == 0);
  FUZZ_CHECK(pwrite(fd, data, size, 0) == static_cast<ssize_t>(size));

  cli::ConfigSources sources;
  sources.file = "/proc/self/fd/" + std::to_string(fd);
  cli::LoadedConfig loaded = cli::loadConfig(sources);
  if (!loaded.error.empty()) return 0;

  const Config& c = loaded.config;
  std::string error;
  // The choices of auth.forwarded_header are exactly the headers the server knows.
  FUZZ_CHECK(http::parseForwardedHeader(c.auth.forwarded_header).has_value());
  auto proxies = http::TrustedProxies::parse(c.auth.trusted_proxies, &error);
  FUZZ_CHECK(proxies.has_value() || !error.empty());
  error.clear();
  auto origins = auth::OriginPolicy::parse(c.auth.allowed_origins, &error);
  FUZZ_CHECK(origins.has_value() || !error.empty());
  obs::Redactor redactor(c.auth.redact_params, c.log.query_params);
  for (const auto& p : c.auth.redact_params) FUZZ_CHECK(redactor.isSecretParam(p));
  channels::ChannelRegistry registry;
  app::registerBuiltinChannels(registry, c.channels);
  // The setters' ranges hold for what they let through.
  FUZZ_CHECK(c.auth.ticket_ttl_s >= 1 && c.auth.ticket_ttl_s <= 60);
  FUZZ_CHECK(c.limits.topics_per_socket >= 1 && c.limits.frame_bytes_before_auth <= c.limits.frame_bytes);
  return 0;
}
