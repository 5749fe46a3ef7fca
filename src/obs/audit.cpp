#include "obs/audit.hpp"

#include <spdlog/spdlog.h>

#include <string>

namespace sg::obs {

void audit(std::string_view event, std::initializer_list<AuditField> fields) {
  if (!spdlog::default_logger_raw()->should_log(spdlog::level::info)) return;
  std::string line = "audit event=";
  line += event;
  for (const auto& [name, value] : fields) {
    if (value.empty()) continue;
    line += ' ';
    line += name;
    line += '=';
    // Values may come from the network (Origin): keep them on one line and unambiguous.
    bool quote = value.find_first_of(" \"=") != std::string_view::npos;
    if (quote) line += '"';
    for (char c : value) {
      if (c == '"' || c == '\\') line += '\\';
      line += (static_cast<unsigned char>(c) < 0x20) ? '?' : c;
    }
    if (quote) line += '"';
  }
  spdlog::info("{}", line);
}

}  // namespace sg::obs
