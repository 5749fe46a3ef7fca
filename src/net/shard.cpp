#include "net/shard.hpp"
#include "net/shards.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <thread>

namespace sg::net {

using Clock = std::chrono::steady_clock;

namespace {

// Below this, a flush is cheap enough to follow the next batch at once.
constexpr auto kQuickFlush = std::chrono::milliseconds(1);

}  // namespace

void Shard::requestFlush(std::shared_ptr<ShardSession> session) {
  flush_wanted_.push_back(std::move(session));
  if (flush_wanted_.size() > 1) return;  // a flush is already on its way
  deferred_ = Clock::now() < next_flush_at_;
  if (!deferred_) {
    boost::asio::post(ioc, [this] { flushAll(); });
    return;
  }
  flush_timer_.expires_at(next_flush_at_);
  flush_timer_.async_wait([this](boost::system::error_code) { flushAll(); });
}

void Shard::flushAll() {
  auto started = Clock::now();
  flushing_.swap(flush_wanted_);
  // Two frames or more per socket: broadcasts came faster than one flush each.
  if (frames_queued_ >= 2 * flushing_.size()) pausing_ = true;
  else if (deferred_) pausing_ = false;  // the pause gathered nothing
  frames_queued_ = 0;
  for (auto& session : flushing_) session->flushQueued();
  flushing_.clear();  // releases the sessions; keeps the capacity for the next round
  auto took = Clock::now() - started;
  bool pause = took >= kQuickFlush && (pausing_ || ++long_flushes_ % kProbeEvery == 0);
  next_flush_at_ = pause ? Clock::now() + std::min<Clock::duration>(took, kMaxFlushPause) : Clock::time_point{};
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
