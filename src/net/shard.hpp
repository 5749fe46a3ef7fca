#pragma once
// One shard: an io_context run by one thread, and the WebSocket connections that live on
// it. Everything in a shard is touched only from its thread. Internal to net/.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/intrusive/list.hpp>

#include "core/close_reason.hpp"
#include "core/identity.hpp"
#include "net/flush_pacer.hpp"
#include "net/reactor.hpp"

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace sg::net {

// Connections link themselves into their shard's list and unlink on destruction.
using SessionHook = boost::intrusive::list_base_hook<boost::intrusive::link_mode<boost::intrusive::auto_unlink>>;

// What the shard's sweep and the server's bulk operations (shutdown, revocation) need
// from a live WebSocket connection.
class ShardSession : public SessionHook {
 public:
  virtual ~ShardSession() = default;
  virtual void checkDeadlines(std::chrono::steady_clock::time_point now) = 0;
  virtual void close(CloseReason reason) = 0;
  // Null while the connection acts for nobody (bare, or delivering a refusal).
  virtual const Identity* identity() const = 0;
  // Writes what the connection has queued (see Shard::requestFlush).
  virtual void flushQueued() = 0;
};

using SessionList = boost::intrusive::list<ShardSession, boost::intrusive::constant_time_size<false>>;

class LongPollConnection;

struct Shard {
  explicit Shard(std::size_t i) : index(i), ioc(1), sweep_timer(ioc), flush_timer_(ioc) { reactor.attach(ioc); }
  // The sockets' waits go first, while everything they may touch still exists; what
  // remains (handlers posted to ioc) goes with ioc.
  ~Shard() { reactor.shutdown(); }

  // Flushes `session` once the shard has run what was posted before: every frame queued
  // meanwhile (a batch of broadcasts) leaves in one write per socket. One flush serves
  // every session waiting. Under load the flush waits for a pause (net/flush_pacer).
  void requestFlush(std::shared_ptr<ShardSession> session);
  // Counts a frame queued for the next flush (what tells whether a pause gathered).
  void noteQueued() { pacer_.noteQueued(); }

  std::size_t index;
  // Before ioc: connections that go with ioc's handlers still forget their sockets here.
  Reactor reactor;
  boost::asio::io_context ioc;
  SessionList sessions;
  // Long-poll sessions living here, by session id: owned here (no I/O of theirs is pending
  // between polls), until their end has been told or forgotten. After ioc: they go first.
  std::unordered_map<std::string, std::shared_ptr<LongPollConnection>> long_polls;
  boost::asio::steady_timer sweep_timer;  // heartbeat and auth deadlines, once a second
  bool stopping = false;
  // Scratch space for the shard's sockets, which run one at a time: what a socket reads
  // is parsed straight out of read_scratch, and the frames it writes are gathered into
  // write_scratch for one system call. No socket keeps an I/O buffer of its own.
  std::vector<char> read_scratch = std::vector<char>(64 * 1024);
  std::vector<char> write_scratch = std::vector<char>(64 * 1024);

 private:
  void flushAll();
  std::vector<std::shared_ptr<ShardSession>> flush_wanted_;
  std::vector<std::shared_ptr<ShardSession>> flushing_;
  boost::asio::steady_timer flush_timer_;
  FlushPacer pacer_;
};

}  // namespace sg::net
