#pragma once
// The Phoenix V2 messages the run sends, and what it reads of the server's: whether a
// message is a connect_error (and its reason) or a reply (and its status).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sg::attack {

// ["ref","ref","topic","phx_join",{}]
std::string joinMessage(std::string_view ref, std::string_view topic);
// [null,"ref","phoenix","heartbeat",{}]
std::string heartbeatMessage(std::string_view ref);
// [null,"ref","phoenix","auth",{"token":"..."}]: first-message authentication.
std::string authMessage(std::string_view ref, std::string_view token);

struct ServerMessage {
  std::string join_ref, ref, topic, event;     // null fields read as ""
  bool connect_error = false;                  // [null,null,"phoenix","connect_error",{...}]
  bool reply = false;                          // event phx_reply
  bool reply_ok = false;                       // ...with status ok
  std::string reason;                          // connect_error reason, or an error reply's reason
  std::optional<std::int64_t> retry_after_ms;  // of a connect_error
  std::optional<std::int64_t> seq;             // payload "s" (numbered broadcasts)
};
// nullopt when `text` is not a V2 array message.
std::optional<ServerMessage> parseServerMessage(std::string_view text);

}  // namespace sg::attack
