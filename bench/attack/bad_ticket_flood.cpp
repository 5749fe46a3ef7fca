#include "bad_ticket_flood.hpp"

#include "api_client.hpp"
#include "messages.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <fmt/format.h>

namespace sg::attack {
namespace {

// The flood's kinds, in the order it cycles through them.
enum class Kind {
  ForgedTicket,
  GarbageTicket,
  ReplayedTicket,
  ExpiredTicket,
  WrongIpTicket,
  WrongOriginTicket,
  ForeignOrigin,
  BadVsn,
  ExpiredJwt,
  ForgedJwt,
  AlgNoneJwt,
  WrongAlgJwt,
  JwtWithoutExp,
  JwtNotYetValid,
  TamperedJwt,
  JwtInQuery,
  BearerGarbage,
  CookieWithoutOrigin,
  CookieForeignOrigin,
  CookieWrongCsrf,
  ForgedCookie,
  TicketInFirstMessage,
  Count
};

const char* kindName(Kind k) {
  switch (k) {
    case Kind::ForgedTicket:
      return "forged ticket";
    case Kind::GarbageTicket:
      return "garbage ticket";
    case Kind::ReplayedTicket:
      return "replayed legit ticket";
    case Kind::ExpiredTicket:
      return "expired ticket";
    case Kind::WrongIpTicket:
      return "ticket from wrong IP";
    case Kind::WrongOriginTicket:
      return "ticket, wrong Origin";
    case Kind::ForeignOrigin:
      return "foreign Origin";
    case Kind::BadVsn:
      return "bad vsn";
    case Kind::ExpiredJwt:
      return "expired JWT";
    case Kind::ForgedJwt:
      return "JWT, wrong key";
    case Kind::AlgNoneJwt:
      return "JWT alg none";
    case Kind::WrongAlgJwt:
      return "JWT HS512 (pinned HS256)";
    case Kind::JwtWithoutExp:
      return "JWT without exp";
    case Kind::JwtNotYetValid:
      return "JWT not yet valid";
    case Kind::TamperedJwt:
      return "JWT, edited claims";
    case Kind::JwtInQuery:
      return "valid JWT in ?token=";
    case Kind::BearerGarbage:
      return "garbage bearer protocol";
    case Kind::CookieWithoutOrigin:
      return "cookie, no Origin";
    case Kind::CookieForeignOrigin:
      return "cookie, foreign Origin";
    case Kind::CookieWrongCsrf:
      return "cookie, wrong CSRF";
    case Kind::ForgedCookie:
      return "forged cookie";
    case Kind::TicketInFirstMessage:
      return "forged ticket, 1st msg";
    case Kind::Count:
      break;
  }
  return "?";
}

constexpr std::string_view kForeignOrigin = "https://evil.example";
constexpr std::size_t kPoolMax = 200;

std::string percentEncoded(const std::string& bytes) {
  std::string out;
  for (char c : bytes) out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
  return out;
}

}  // namespace

BadTicketFlood::BadTicketFlood(const asio::any_io_executor& ex, const Target& target, FloodPlan plan,
                               AttackMaterial material, TicketDrop& drop, std::uint64_t seed)
    : ex_(ex),
      target_(target),
      plan_(std::move(plan)),
      material_(std::move(material)),
      forge_(material_.jwt_secret),
      drop_(drop),
      rng_(seed) {}

void BadTicketFlood::start() {
  asio::co_spawn(ex_, launcher(), asio::detached);
  asio::co_spawn(ex_, minter(), asio::detached);
  asio::co_spawn(ex_, racer(), asio::detached);
}

std::string BadTicketFlood::socketPath(std::string_view params) const {
  // Asks for readable refusals: an upgrade, a message and a close cost the server more
  // than a plain HTTP refusal, so the flood is the heavier of the two.
  return fmt::format("/socket/websocket?vsn=2.0.0&sockguard_refusal=connect_error{}{}", params.empty() ? "" : "&",
                     params);
}

BadTicketFlood::Presentation BadTicketFlood::next(std::uint64_t n, std::string& kind) {
  Presentation p;
  p.join_topic = "user:" + material_.victim_id;
  auto k = static_cast<Kind>(n % static_cast<std::uint64_t>(Kind::Count));
  auto forged = [&] {
    kind = kindName(Kind::ForgedTicket);
    p.target = socketPath("ticket=" + rng_.base64url(43));
  };
  auto protocol = [&](const std::string& token) {
    p.target = socketPath("");
    p.headers.push_back({"Sec-WebSocket-Protocol", phoenixProtocolHeader(token)});
  };
  std::string victim = material_.victim_id;
  kind = kindName(k);
  switch (k) {
    case Kind::ForgedTicket:
      forged();
      break;
    case Kind::GarbageTicket: {
      std::string junk = rng_.bytes(rng_.between(1, 300));
      p.target = socketPath("ticket=" + percentEncoded(junk));
      break;
    }
    case Kind::ReplayedTicket: {
      if (replays_left_ == 0) {
        replaying_ = drop_.take();
        replays_left_ = replaying_ ? 2 : 0;
      }
      if (!replaying_) return forged(), p;
      // Once from the owner's own address (the IP binding holds; only one-time use
      // stops it) and once from an attacker's.
      if (replays_left_-- == 2) p.source = asio::ip::make_address(replaying_->owner_ip);
      p.target = socketPath("ticket=" + replaying_->ticket);
      p.headers.push_back({"Origin", target_.origin});
      ++figures_.legit_replays;
      break;
    }
    case Kind::ExpiredTicket: {
      if (expiring_.empty() || expiring_.front().expires + 1s > Clock::now()) return forged(), p;
      p.target = socketPath("ticket=" + expiring_.front().ticket);
      p.source = expiring_.front().source;
      expiring_.pop_front();
      break;
    }
    case Kind::WrongIpTicket:
      if (wrong_ip_.empty()) return forged(), p;
      p.target = socketPath("ticket=" + wrong_ip_.front());
      wrong_ip_.pop_front();
      break;
    case Kind::WrongOriginTicket:
      if (wrong_origin_.empty()) return forged(), p;
      p.target = socketPath("ticket=" + wrong_origin_.front());
      p.headers.push_back({"Origin", target_.origin});
      wrong_origin_.pop_front();
      break;
    case Kind::ForeignOrigin:
      p.target = socketPath("ticket=" + rng_.base64url(43));
      p.headers.push_back({"Origin", std::string(kForeignOrigin)});
      break;
    case Kind::BadVsn:
      p.target = "/socket/websocket?vsn=9.9.9&ticket=" + rng_.base64url(43);
      break;
    case Kind::ExpiredJwt:
      protocol(forge_.expired(victim));
      break;
    case Kind::ForgedJwt:
      protocol(forge_.wrongKey(victim));
      break;
    case Kind::AlgNoneJwt:
      protocol(forge_.algNone(victim));
      break;
    case Kind::WrongAlgJwt:
      protocol(forge_.wrongAlgorithm(victim));
      break;
    case Kind::JwtWithoutExp:
      protocol(forge_.withoutExpiry(victim));
      break;
    case Kind::JwtNotYetValid:
      protocol(forge_.notYetValid(victim));
      break;
    case Kind::TamperedJwt:
      protocol(forge_.tampered(victim));
      break;
    case Kind::JwtInQuery:
      // auth.query_token is off by default: the server must not read it.
      p.target = socketPath("token=" + forge_.valid(victim, std::chrono::seconds(600)));
      break;
    case Kind::BearerGarbage:
      p.target = socketPath("");
      p.headers.push_back({"Sec-WebSocket-Protocol", "phoenix, base64url.bearer.phx.%%not*base64%%"});
      break;
    case Kind::CookieWithoutOrigin:
      p.target = socketPath("_csrf_token=" + material_.victim_csrf);
      p.headers.push_back({"Cookie", material_.victim_cookie});
      break;
    case Kind::CookieForeignOrigin:
      p.target = socketPath("_csrf_token=" + material_.victim_csrf);
      p.headers.push_back({"Cookie", material_.victim_cookie});
      p.headers.push_back({"Origin", std::string(kForeignOrigin)});
      break;
    case Kind::CookieWrongCsrf:
      p.target = socketPath("_csrf_token=" + rng_.base64url(43));
      p.headers.push_back({"Cookie", material_.victim_cookie});
      p.headers.push_back({"Origin", target_.origin});
      break;
    case Kind::ForgedCookie:
      p.target = socketPath("_csrf_token=" + rng_.base64url(43));
      p.headers.push_back({"Cookie", "_sockguard_session=" + rng_.base64url(43)});
      p.headers.push_back({"Origin", target_.origin});
      break;
    case Kind::TicketInFirstMessage:
      p.target = socketPath("");
      p.first_message = authMessage("a", rng_.base64url(43));
      break;
    case Kind::Count:
      break;
  }
  return p;
}

void BadTicketFlood::launch(const std::string& kind, Presentation& p, const std::shared_ptr<Race>& race) {
  if (figures_.in_flight >= plan_.max_in_flight) {
    ++figures_.skipped;
    if (race) --race->pending;
    return;
  }
  ++figures_.launched;
  figures_.peak_in_flight = std::max(figures_.peak_in_flight, ++figures_.in_flight);
  auto source = p.source ? *p.source : nextSource();
  asio::co_spawn(ex_, attempt(kind, std::move(p), source, race), asio::detached);
}

asio::awaitable<void> BadTicketFlood::launcher() {
  auto start = Clock::now();
  std::uint64_t n = 0;
  while (!stopping_) {
    auto due = static_cast<std::uint64_t>(seconds(Clock::now() - start) * plan_.rate_per_s);
    for (; n < due && !stopping_; ++n) {
      std::string kind;
      Presentation p = next(n, kind);
      std::shared_ptr<Race> no_race;
      launch(kind, p, no_race);
    }
    co_await sleepFor(10ms);
  }
}

asio::awaitable<void> BadTicketFlood::minter() {
  // Bindings no flood socket can meet: an address it never uses, the other allowed Origin.
  std::string nowhere_ip = "192.0.2.1";
  std::string other_origin = "http://localhost:" + std::to_string(target_.server.port());
  std::string none;
  while (!stopping_) {
    std::string user = fmt::format("victim-{}", ++serial_);
    if (wrong_ip_.size() < kPoolMax) {
      auto t = co_await mintTicket(target_, material_.api_key, user, nowhere_ip, none);
      if (t)
        wrong_ip_.push_back(*t);
      else
        ++figures_.mint_failures;
    }
    if (wrong_origin_.size() < kPoolMax) {
      auto t = co_await mintTicket(target_, material_.api_key, user, none, other_origin);
      if (t)
        wrong_origin_.push_back(*t);
      else
        ++figures_.mint_failures;
    }
    if (expiring_.size() < kPoolMax) {
      auto source = nextSource();
      std::string ip = source.to_string();
      auto t = co_await mintTicket(target_, material_.api_key, user, ip, none);
      if (t)
        expiring_.push_back({*t, source, Clock::now() + std::chrono::seconds(plan_.ticket_ttl_s)});
      else
        ++figures_.mint_failures;
    }
    co_await sleepFor(200ms);
  }
}

asio::awaitable<void> BadTicketFlood::racer() {
  if (plan_.races_per_s <= 0) co_return;
  auto period = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / plan_.races_per_s));
  std::string none;
  for (std::uint64_t round = 0; !stopping_; ++round) {
    co_await sleepFor(period);
    auto source = nextSource();
    std::string user = fmt::format("race-{}", ++serial_);
    Presentation p;
    p.join_topic = "user:" + user;
    p.source = source;
    p.control = true;
    std::string kind;
    switch (round % 3) {
      case 0: {
        std::string ip = source.to_string();
        auto ticket = co_await mintTicket(target_, material_.api_key, user, ip, none);
        if (!ticket) {
          ++figures_.mint_failures;
          continue;
        }
        kind = "race: one ticket";
        p.target = socketPath("ticket=" + *ticket);
        break;
      }
      case 1: {
        kind = "race: one jti JWT";
        p.target = socketPath("");
        p.headers.push_back(
            {"Sec-WebSocket-Protocol", phoenixProtocolHeader(forge_.valid(user, std::chrono::seconds(120),
                                                                          fmt::format("attack-jti-{}", serial_)))});
        break;
      }
      default: {
        // Not a race: the victim's own cookie, CSRF token and Origin, as its page would
        // send them. Reusable, so one presentation: the control of the cookie checks.
        kind = "valid cookie (control)";
        p.target = socketPath("_csrf_token=" + material_.victim_csrf);
        p.join_topic = "user:" + material_.victim_id;
        p.headers.push_back({"Cookie", material_.victim_cookie});
        p.headers.push_back({"Origin", target_.origin});
        Presentation once = p;
        std::shared_ptr<Race> no_race;
        launch(kind, once, no_race);
        continue;
      }
    }
    ++figures_.races;
    auto race = std::make_shared<Race>();
    race->pending = plan_.race_width;
    for (int i = 0; i < plan_.race_width; ++i) {
      Presentation copy = p;
      launch(kind, copy, race);
    }
    auto deadline = Clock::now() + plan_.socket_deadline + 1s;
    while (race->pending > 0 && Clock::now() < deadline) co_await sleepFor(10ms);
    if (race->wins == 0)
      ++figures_.races_no_winner;
    else if (race->wins == 1)
      ++figures_.races_one_winner;
  }
}

asio::awaitable<void> BadTicketFlood::attempt(std::string kind, Presentation p, asio::ip::address source,
                                              std::shared_ptr<Race> race) {
  auto conn = RawConn::create(ex_);
  conn->expiresAfter(plan_.socket_deadline);
  std::string request = upgradeRequest(target_.host, p.target, p.headers, rng_);
  SocketResult result;
  if (co_await openSocket(*conn, target_, source, request, result)) {
    std::string frames;
    if (!p.first_message.empty()) frames += textFrame(p.first_message, rng_);
    frames += textFrame(joinMessage("1", p.join_topic), rng_);
    auto ec = co_await conn->write(frames);
    if (ec)
      result.label = "write: " + conn->describe(ec);
    else
      co_await readUntilClosed(*conn, result, 1);
  }
  std::string label = result.label;
  bool answered = result.replies_ok + result.replies_error > 0;
  if (p.control) {
    ++figures_.controls_tried;
    if (result.replies_ok > 0) {
      ++figures_.controls_accepted;
      if (race && ++race->wins > 1) {
        // The same one-time credential let in twice.
        ++figures_.race_extra_wins;
        ++figures_.bad_accepted;
        ++figures_.bad_by_kind[kind];
        label = "ACCEPTED AGAIN";
      } else {
        label = "accepted (first use)";
      }
    } else if (result.replies_error > 0) {
      label = "connected, join refused: " + result.reply_reason;
    }
  } else if (answered) {
    ++figures_.bad_accepted;
    ++figures_.bad_by_kind[kind];
    label = result.replies_ok > 0 ? "ACCEPTED, joined" : "CONNECTED, join refused: " + result.reply_reason;
  }
  if (answered) {
    std::string bye = closeFrame(1000, rng_);
    co_await conn->write(bye);
  }
  conn->close();
  figures_.outcomes.add(kind, label);
  --figures_.in_flight;
  if (race) --race->pending;
}

}  // namespace sg::attack
