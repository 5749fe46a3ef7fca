#include "protocol/phoenix_longpoll.hpp"

#include "core/encoding.hpp"
#include "core/text.hpp"

namespace sg::protocol::longpoll {
namespace {

bool aboutTheClient(CloseReason reason) {
  switch (reason) {
    case CloseReason::BadRequest:
    case CloseReason::MissingCredentials:
    case CloseReason::TokenInvalid:
    case CloseReason::TokenExpired:
    case CloseReason::BindingMismatch:
    case CloseReason::ForbiddenOrigin:
    case CloseReason::SessionRevoked:
      return true;
    default:
      return false;
  }
}

}  // namespace

int refusalStatus(CloseReason reason) { return aboutTheClient(reason) ? kForbidden : kServerError; }

int endedStatus(CloseReason reason) {
  if (aboutTheClient(reason)) return kForbidden;
  if (reason == CloseReason::RateLimited || reason == CloseReason::ServerBusy) return kServerError;
  return kGone;
}

std::string pollAnswer(int status, std::string_view token, const std::deque<pubsub::Frame>& messages) {
  std::string out = "{\"status\":" + std::to_string(status) + ",\"token\":";
  appendJsonString(out, token);
  out += ",\"messages\":[";
  bool first = true;
  for (const auto& m : messages) {
    if (!first) out += ',';
    first = false;
    appendJsonString(out, *m);
  }
  out += "]}";
  return out;
}

std::string statusAnswer(int status) { return "{\"status\":" + std::to_string(status) + "}"; }

std::string refusalAnswer(int status, CloseReason reason, std::optional<int> retry_after_ms) {
  const auto& info = closeInfo(reason);
  std::string out = "{\"status\":" + std::to_string(status) + ",\"error\":";
  appendJsonString(out, info.name);
  out += ",\"message\":\"long-poll connection refused\",\"reconnect\":";
  appendJsonString(out, reconnectAdviceName(info.advice));
  out += ",\"retry_after_ms\":";
  out += retry_after_ms ? std::to_string(*retry_after_ms) : "null";
  out += '}';
  return out;
}

std::string goneAnswer(std::string_view why) {
  std::string out = "{\"status\":410,\"error\":\"session_gone\",\"message\":";
  appendJsonString(out, why);
  out += '}';
  return out;
}

boost::system::result<std::vector<Part>, BatchError> splitBatch(std::string_view body, bool ndjson) {
  std::vector<Part> parts;
  if (!ndjson) {
    parts.push_back(Part{std::string(body), false});
    return parts;
  }
  while (!body.empty()) {
    auto nl = body.find('\n');
    std::string_view line = body.substr(0, nl);
    body = nl == std::string_view::npos ? std::string_view() : body.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (parts.size() == kMaxBatch) return BatchError::TooMany;
    // V2 arrays and V1 objects are text; anything else is a binary frame in base64 (btoa).
    if (line.front() == '[' || line.front() == '{') {
      parts.push_back(Part{std::string(line), false});
      continue;
    }
    auto bytes = base64EitherDecode(line);
    if (!bytes) return BatchError::BadBase64;
    parts.push_back(Part{std::move(*bytes), true});
  }
  return parts;
}

}  // namespace sg::protocol::longpoll
