#include "obs/log.hpp"

#include "core/text.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>

namespace sg::obs {
namespace {

// %* in a pattern: the message, escaped for a JSON string.
class JsonMessageFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    std::string escaped;
    appendJsonEscaped(escaped, std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(escaped.data(), escaped.data() + escaped.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<JsonMessageFlag>(); }
};

}  // namespace

namespace {
bool json_format = false;  // set once by initLogging, before any thread logs
}  // namespace


std::string initLogging(std::string_view level, std::string_view format) {
  auto lvl = spdlog::level::from_str(std::string(level));
  if (lvl == spdlog::level::off && level != "off") return "log.level: unknown level '" + std::string(level) + "'";
  // One stderr sink for everything; stdout stays free for the start-up banner.
  auto logger = std::make_shared<spdlog::logger>("sockguard", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  json_format = format == "json";
  if (format == "json") {
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<JsonMessageFlag>('*').set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l","msg":"%*"})");
    logger->set_formatter(std::move(formatter));
  } else if (format == "text") {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  } else {
    return "log.format: expected text or json, got '" + std::string(format) + "'";
  }
  logger->set_level(lvl);
  // Access and audit lines are many (two or three per connection): they gather in a 64 KiB
  // stdio buffer and leave once a second, one write for many lines, instead of one system
  // call each on the shard that logs them. Warnings and errors leave at once.
  std::setvbuf(stderr, nullptr, _IOFBF, 64 * 1024);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(logger));
  spdlog::flush_every(std::chrono::seconds(1));
  return {};
}

void setLogNode(std::string_view node) {
  // The name is text of the operator's choosing: '%' would start a pattern flag, and in
  // JSON quotes, backslashes and control characters must be escaped.
  std::string text;
  for (char c : node) {
    if (c == '%') text += "%%";
    else if (json_format && (c == '"' || c == '\\')) (text += '\\') += c;
    else if (static_cast<unsigned char>(c) >= 0x20) text += c;
  }
  auto logger = spdlog::default_logger();
  if (json_format) {
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<JsonMessageFlag>('*').set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l","node":")" +
                                                          text + R"(","msg":"%*"})");
    logger->set_formatter(std::move(formatter));
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ [" + text + "] %v");
  }
}

}  // namespace sg::obs
