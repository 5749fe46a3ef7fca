#pragma once
// Where Phoenix Channels are served: the paths the official client derives from its
// endpoint URL ("/socket" + "/websocket" or "/longpoll").
#include <string_view>

namespace sg::protocol {

// The endpoint a client is given (`new Socket("/socket")`), and the transports under it.
inline constexpr std::string_view kPhoenixEndpointPath = "/socket";
inline constexpr std::string_view kPhoenixSocketPath = "/socket/websocket";
inline constexpr std::string_view kPhoenixLongPollPath = "/socket/longpoll";

}  // namespace sg::protocol
