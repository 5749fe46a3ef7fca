#include "junk_sender.hpp"

#include "api_client.hpp"
#include "messages.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <fmt/format.h>

namespace sg::attack {
namespace {

enum class Junk {
  // Before authentication (a bare socket: the server's 4 KiB frame limit applies).
  OversizedBeforeAuth,
  LyingLength,
  InvalidJsonBeforeAuth,
  BinaryBeforeAuth,
  JoinBeforeAuth,
  Unmasked,
  ReservedOpcode,
  ReservedBits,
  OversizedPing,
  InvalidUtf8,
  EndlessFragments,
  // After authentication (a valid ticket of the attacker's own account: 64 KiB limit).
  OversizedAfterAuth,
  InvalidJsonAfterAuth,
  BinaryAfterAuth,
  MessageFlood,
  PrivateJoin,
  TooManyTopics,
  DeepJson,
  HugeTopic,
  V1Junk,
  Count
};

const char* junkName(Junk j) {
  switch (j) {
    case Junk::OversizedBeforeAuth:
      return "8 KiB frame, no auth";
    case Junk::LyingLength:
      return "1 TiB length header";
    case Junk::InvalidJsonBeforeAuth:
      return "invalid JSON, no auth";
    case Junk::BinaryBeforeAuth:
      return "binary junk, no auth";
    case Junk::JoinBeforeAuth:
      return "join, no auth";
    case Junk::Unmasked:
      return "unmasked frame";
    case Junk::ReservedOpcode:
      return "reserved opcode";
    case Junk::ReservedBits:
      return "reserved bits";
    case Junk::OversizedPing:
      return "200-byte ping";
    case Junk::InvalidUtf8:
      return "invalid UTF-8 text";
    case Junk::EndlessFragments:
      return "endless fragments";
    case Junk::OversizedAfterAuth:
      return "100 KiB frame, authed";
    case Junk::InvalidJsonAfterAuth:
      return "invalid JSON, authed";
    case Junk::BinaryAfterAuth:
      return "binary junk, authed";
    case Junk::MessageFlood:
      return "300 messages at once";
    case Junk::PrivateJoin:
      return "join other user's topics";
    case Junk::TooManyTopics:
      return "105 topics";
    case Junk::DeepJson:
      return "JSON nested 20000 deep";
    case Junk::HugeTopic:
      return "10 KiB topic name";
    case Junk::V1Junk:
      return "V1 fields of wrong types";
    case Junk::Count:
      break;
  }
  return "?";
}

bool needsAuth(Junk j) { return j >= Junk::OversizedAfterAuth; }

}  // namespace

void JunkSender::start() {
  for (std::size_t i = 0; i < plan_.workers; ++i) asio::co_spawn(ex_, worker(i), asio::detached);
}

asio::awaitable<void> JunkSender::worker(std::size_t index) {
  co_await sleepFor(index * 50ms);
  for (std::size_t round = index; !stopping_; ++round) {
    co_await one(index, round);
    co_await sleepFor(plan_.pause);
  }
}

asio::awaitable<void> JunkSender::one(std::size_t worker, std::size_t round) {
  auto junk = static_cast<Junk>(round % static_cast<std::size_t>(Junk::Count));
  std::string kind = junkName(junk);
  const auto& source = plan_.sources[worker % plan_.sources.size()];
  // Asks for readable refusals, so that its bare sockets are upgraded (first-message auth).
  std::string path = junk == Junk::V1Junk ? "/socket/websocket?vsn=1.0.0&sockguard_refusal=connect_error"
                                          : "/socket/websocket?vsn=2.0.0&sockguard_refusal=connect_error";
  if (needsAuth(junk)) {
    std::string user = fmt::format("mallory-{}", worker);
    std::string ip = source.to_string();
    std::string none;
    auto ticket = co_await mintTicket(target_, plan_.api_key, user, ip, none);
    if (!ticket) {
      ++figures_.mint_failures;
      co_return;
    }
    path += "&ticket=" + *ticket;
  }
  auto conn = RawConn::create(ex_);
  conn->expiresAfter(plan_.socket_deadline);
  std::string request = upgradeRequest(target_.host, path, {}, rng_);
  SocketResult result;
  ++figures_.sockets;
  if (!co_await openSocket(*conn, target_, source, request, result)) {
    conn->close();
    figures_.outcomes.add(kind, result.label);
    co_return;
  }

  std::string bytes;
  std::string later;  // sent after a pause (topics beyond the burst)
  int stop_after_replies = 0;
  FrameSpec spec;
  switch (junk) {
    case Junk::OversizedBeforeAuth:
      bytes = textFrame(std::string(8 * 1024, 'x'), rng_);
      break;
    case Junk::LyingLength:
      spec.declared_length = std::uint64_t{1} << 40;
      bytes = clientFrame(std::string(64, 'x'), spec, rng_);
      break;
    case Junk::InvalidJsonBeforeAuth:
    case Junk::InvalidJsonAfterAuth:
      bytes = textFrame(R"(["1","1","room:x","phx_join",{)", rng_);
      break;
    case Junk::BinaryBeforeAuth:
    case Junk::BinaryAfterAuth:
      spec.opcode = opcode::kBinary;
      bytes = clientFrame(rng_.bytes(512), spec, rng_);
      break;
    case Junk::JoinBeforeAuth:
      bytes = textFrame(joinMessage("1", "room:lobby"), rng_);
      break;
    case Junk::Unmasked:
      spec.masked = false;
      bytes = clientFrame(heartbeatMessage("1"), spec, rng_);
      break;
    case Junk::ReservedOpcode:
      spec.opcode = 0x3;
      bytes = clientFrame("junk", spec, rng_);
      break;
    case Junk::ReservedBits:
      spec.rsv = 0x7;
      bytes = clientFrame(heartbeatMessage("1"), spec, rng_);
      break;
    case Junk::OversizedPing:
      spec.opcode = opcode::kPing;
      bytes = clientFrame(std::string(200, 'p'), spec, rng_);
      break;
    case Junk::InvalidUtf8:
      bytes = textFrame("[null,\"1\",\"phoenix\",\"heartbeat\",{\"x\":\"\xff\xfe\xc0\"}]", rng_);
      break;
    case Junk::EndlessFragments: {
      spec.fin = false;
      bytes = clientFrame(std::string(100, 'f'), spec, rng_);
      spec.opcode = opcode::kContinuation;
      for (int i = 0; i < 200; ++i) bytes += clientFrame(std::string(100, 'f'), spec, rng_);
      break;
    }
    case Junk::OversizedAfterAuth:
      bytes = textFrame(std::string(100 * 1024, 'x'), rng_);
      break;
    case Junk::MessageFlood:
      for (int i = 0; i < 300; ++i) bytes += textFrame(heartbeatMessage(std::to_string(i)), rng_);
      break;
    case Junk::PrivateJoin:
      bytes = textFrame(joinMessage("1", "user_count:" + plan_.legit_user_id), rng_);
      bytes += textFrame(joinMessage("2", "user:" + plan_.legit_user_id), rng_);
      stop_after_replies = 2;
      break;
    case Junk::TooManyTopics:
      // The message burst is 100: send 60, let the bucket refill, then 45 more.
      for (int i = 0; i < 60; ++i)
        bytes += textFrame(joinMessage(std::to_string(i), fmt::format("room:junk-{}", i)), rng_);
      for (int i = 60; i < 105; ++i)
        later += textFrame(joinMessage(std::to_string(i), fmt::format("room:junk-{}", i)), rng_);
      stop_after_replies = 105;
      break;
    case Junk::DeepJson:
      bytes = textFrame(R"(["1","1","room:deep","phx_join",)" + std::string(20000, '[') + std::string(20000, ']') + "]",
                        rng_);
      stop_after_replies = 1;
      break;
    case Junk::HugeTopic:
      bytes = textFrame(joinMessage("1", "room:" + std::string(10 * 1024, 't')), rng_);
      stop_after_replies = 1;
      break;
    case Junk::V1Junk:
      bytes = textFrame(R"({"topic":5,"event":[],"payload":"x","ref":{}})", rng_);
      break;
    case Junk::Count:
      break;
  }
  auto ec = co_await conn->write(bytes);
  figures_.bytes_sent += bytes.size();
  if (!ec && !later.empty()) {
    co_await sleepFor(1500ms);
    ec = co_await conn->write(later);
    figures_.bytes_sent += later.size();
  }
  // A write may fail because the server already closed: read what it said anyway.
  co_await readUntilClosed(*conn, result, stop_after_replies);
  std::string label = result.label;
  if (label.empty()) {
    // Stopped on replies: the socket is still open.
    label = result.replies_error > 0 ? "join refused: " + result.reply_reason : "replied ok";
  }
  if (junk == Junk::PrivateJoin && result.replies_ok > 0) {
    figures_.private_joins_accepted += static_cast<std::uint64_t>(result.replies_ok);
    label = "PRIVATE TOPIC JOINED";
  }
  conn->close();
  figures_.outcomes.add(kind, label);
}

}  // namespace sg::attack
