#include "login_flood.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>

namespace sg::attack {

void LoginFlood::start() {
  std::size_t workers = plan_.sources.size() * static_cast<std::size_t>(plan_.in_flight_per_source);
  for (std::size_t i = 0; i < workers; ++i) asio::co_spawn(ex_, worker(i), asio::detached);
}

asio::awaitable<void> LoginFlood::worker(std::size_t index) {
  const auto& source = plan_.sources[index % plan_.sources.size()];
  while (!stopping_) {
    boost::json::object body{{"email", "guess-" + rng_.base64url(12) + "@attack.test"},
                             {"password", "wrong-" + rng_.base64url(12)}};
    ApiRequest request{"POST", "/api/accounts/login", {{"Origin", target_.origin}}, boost::json::serialize(body)};
    ++figures_.attempts;
    auto from = Clock::now();
    ApiResponse response = co_await callApi(target_, source, request, plan_.timeout);
    std::string label = response.status ? "http " + std::to_string(response.status) : response.error;
    if (response.status == 200) {
      ++figures_.accepted;
      label = "ACCEPTED";
    }
    if (response.status == 401) figures_.hashed.record((Clock::now() - from).count());
    ++figures_.answers[label];
    // A throttled guesser waits as long as it is told (a second at least); one that was
    // answered goes again at once.
    if (response.status == 429 || response.status == 503) {
      co_await sleepFor(std::chrono::seconds(std::clamp(response.retry_after_s.value_or(1), 1, 5)));
    } else if (response.status != 401) {
      co_await sleepFor(100ms);
    }
  }
}

}  // namespace sg::attack
