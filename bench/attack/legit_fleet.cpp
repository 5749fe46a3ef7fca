#include "legit_fleet.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <fmt/format.h>

namespace sg::attack {
namespace {
// The server hashes on a pool of two threads: more at once only queue there.
constexpr std::size_t kRegisterConcurrency = 2;
}  // namespace

LegitFleet::LegitFleet(const asio::any_io_executor& ex, const Target& target, LegitPlan plan, TicketDrop& drop)
    : ex_(ex), target_(target), plan_(std::move(plan)) {
  shared_.target = &target_;
  shared_.drop = &drop;
  shared_.room = plan_.room;
  shared_.broadcast_event = plan_.broadcast_event;
  shared_.heartbeat = plan_.heartbeat;
  shared_.churn_every = plan_.churn_every;
  Rng rng(std::random_device{}());
  std::string run_id = rng.base64url(8);
  for (std::size_t i = 0; i < plan_.clients; ++i) {
    accounts_.push_back({fmt::format("legit-{}-{}@attack.test", i, run_id), "legit-password-" + rng.base64url(16), "",
                         plan_.sources[i % plan_.sources.size()]});
  }
}

asio::awaitable<std::string> LegitFleet::registerAccounts(VictimSession& victim) {
  std::vector<std::string> errors(kRegisterConcurrency);
  for (std::size_t w = 0; w < kRegisterConcurrency; ++w) {
    asio::co_spawn(ex_, registerSome(w, kRegisterConcurrency, errors[w], victim), asio::detached);
  }
  while (registered_ < kRegisterConcurrency) co_await sleepFor(20ms);
  for (const auto& e : errors)
    if (!e.empty()) co_return e;
  co_return std::string();
}

asio::awaitable<void> LegitFleet::registerSome(std::size_t first, std::size_t step, std::string& error,
                                               VictimSession& victim) {
  for (std::size_t i = first; i < accounts_.size() && error.empty(); i += step) {
    auto& account = accounts_[i];
    boost::json::object body{{"email", account.email}, {"password", account.password}};
    ApiRequest request{"POST", "/api/accounts/register", {{"Origin", target_.origin}}, boost::json::serialize(body)};
    ApiResponse response = co_await callApi(target_, account.source, request, 60s);
    auto id = jsonString(response.body, "id");
    if (response.status != 201 || !id) {
      error = fmt::format("register {}: {} {}", account.email, response.status,
                          response.status ? response.body : response.error);
      break;
    }
    account.id = *id;
    if (i == 0) {
      victim.user_id = *id;
      victim.csrf = jsonString(response.body, "csrf_token").value_or("");
      victim.cookie = "_sockguard_session=" + cookieFrom(response.set_cookies, "_sockguard_session").value_or("");
    }
  }
  ++registered_;
}

void LegitFleet::start(Clock::time_point at) {
  for (std::size_t i = 0; i < accounts_.size(); ++i) {
    clients_.push_back(std::make_unique<LegitClient>(ex_, accounts_[i], shared_));
    auto start_at = at + plan_.spread * static_cast<Clock::rep>(i) / static_cast<Clock::rep>(accounts_.size());
    asio::co_spawn(ex_, clients_.back()->run(start_at), asio::detached);
  }
}

bool LegitFleet::settled() const {
  if (clients_.size() < accounts_.size()) return false;
  for (const auto& c : clients_)
    if (!c->joined() && c->failure().empty()) return false;
  return true;
}

void LegitFleet::expectBroadcasts(std::size_t count) {
  for (auto& c : clients_) c->expectBroadcasts(count);
}

LegitSummary LegitFleet::summary(std::uint64_t broadcasts_accepted) const {
  LegitSummary s;
  s.clients = accounts_.size();
  s.churn_ok = shared_.churn_ok;
  s.retries = shared_.retries;
  s.reconnects = shared_.reconnects;
  for (const auto& c : clients_) {
    for (const auto& f : c->churnFailures()) ++s.churn_failures[f];
    if (!c->joined()) {
      ++s.failures[c->failure().empty() ? "not finished" : c->failure()];
      continue;
    }
    ++s.joined;
    if (c->disconnect()) ++s.disconnects[*c->disconnect()];
    auto owed = c->owedOf(broadcasts_accepted);
    auto got = c->receivedOf(broadcasts_accepted);
    s.expected += owed;
    s.received += got;
    if (got < owed) ++s.clients_missing_some;
    if (owed < broadcasts_accepted) ++s.joined_late;
    s.duplicates += c->duplicates();
    s.unexpected += c->unexpected();
  }
  return s;
}

}  // namespace sg::attack
