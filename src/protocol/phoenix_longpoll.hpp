#pragma once
// Phoenix's long-poll exchange as the 1.8 client speaks it (its LongPoll class), without
// I/O. Every answer is JSON whose `status` the client reads, whatever the HTTP status:
//   GET, no session token      -> {"status":410,"token":T,"messages":[]}: the session is open
//   GET                        -> {"status":200,"token":T,"messages":[...]} or 204 after the poll window
//   POST (ndjson, <= 100 lines) -> {"status":200}
//   the session is gone        -> {"status":410}: the client reconnects and rejoins
// The client knows no other status but 403 (it gives up the connection and reconnects
// with backoff) and 500 (the same, through its retry path); anything else makes it throw.
// So refusals are told as 403 or 500, with sockguard's reason beside the status.
#include "core/close_reason.hpp"
#include "pubsub/broadcast.hpp"

#include <boost/system/result.hpp>

#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sg::protocol::longpoll {

inline constexpr int kOk = 200;
inline constexpr int kNoContent = 204;
inline constexpr int kForbidden = 403;
inline constexpr int kGone = 410;
inline constexpr int kServerError = 500;

// Phoenix takes at most this many messages from one POST (the client sends no more).
inline constexpr std::size_t kMaxBatch = 100;

// The status a refused first GET is told in: 403 for refusals of who or where the client
// is (credentials, Origin, a bad request), 500 for "not now" (rate_limited, server_busy).
int refusalStatus(CloseReason reason);
// The status a poll of a session that ended for `reason` is told in: 403 and 500 as
// above, 410 for ends that a reconnect simply repairs (idle, slow_consumer, going_away...).
int endedStatus(CloseReason reason);

// {"status":S,"token":T,"messages":[...]}: each message a JSON string (the frame's text).
std::string pollAnswer(int status, std::string_view token, const std::deque<pubsub::Frame>& messages);
// {"status":S}
std::string statusAnswer(int status);
// {"status":S,"error":reason,"message":text,"reconnect":advice,"retry_after_ms":ms|null}
std::string refusalAnswer(int status, CloseReason reason, std::optional<int> retry_after_ms);
// {"status":410,"error":"session_gone","message":text}: no session behind a token (ended
// and forgotten, another node's, or expired).
std::string goneAnswer(std::string_view why);

// One message of a POST. The client sends text frames as they are and binary frames in
// base64, one per line (application/x-ndjson); another content type is one text message.
struct Part {
  std::string data;
  bool binary = false;
};
enum class BatchError : std::uint8_t { TooMany, BadBase64 };
boost::system::result<std::vector<Part>, BatchError> splitBatch(std::string_view body, bool ndjson);

}  // namespace sg::protocol::longpoll
