#include "net/shard.hpp"

#include <boost/asio/post.hpp>

namespace sg::net {

void Shard::requestFlush(std::shared_ptr<ShardSession> session) {
  flush_wanted_.push_back(std::move(session));
  if (flush_wanted_.size() == 1) boost::asio::post(ioc, [this] { flushAll(); });
}

void Shard::flushAll() {
  flushing_.swap(flush_wanted_);
  for (auto& session : flushing_) session->flushQueued();
  flushing_.clear();  // releases the sessions; keeps the capacity for the next round
}

}  // namespace sg::net
