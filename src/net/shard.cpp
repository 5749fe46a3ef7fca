#include "net/shard.hpp"
#include "net/shards.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <thread>

namespace sg::net {

using Clock = std::chrono::steady_clock;

void Shard::requestFlush(std::shared_ptr<ShardSession> session) {
  flush_wanted_.push_back(std::move(session));
  if (flush_wanted_.size() > 1) return;  // a flush is already on its way
  auto hold = pacer_.holdUntil(Clock::now());
  if (!hold) {
    boost::asio::post(ioc, [this] { flushAll(); });
    return;
  }
  flush_timer_.expires_at(*hold);
  flush_timer_.async_wait([this](boost::system::error_code) { flushAll(); });
}

void Shard::flushAll() {
  auto started = Clock::now();
  flushing_.swap(flush_wanted_);
  pacer_.flushBegins(flushing_.size());
  for (auto& session : flushing_) session->flushQueued();
  flushing_.clear();  // releases the sessions; keeps the capacity for the next round
  pacer_.flushEnded(started, Clock::now());
}

}  // namespace sg::net

namespace sg::net {

Shards::Shards(int threads) {
  int n = threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 0; i < n; ++i) list_.push_back(std::make_unique<Shard>(static_cast<std::size_t>(i)));
}

Shards::~Shards() = default;

void Shards::shutdown() { list_.clear(); }

void Shards::post(std::size_t shard, Task task) { boost::asio::post(list_.at(shard)->ioc, std::move(task)); }

std::vector<Shards::Post> Shards::posters() {
  std::vector<Post> out;
  for (auto& shard : list_) {
    out.push_back([ioc = &shard->ioc](Task task) { boost::asio::post(*ioc, std::move(task)); });
  }
  return out;
}

}  // namespace sg::net
