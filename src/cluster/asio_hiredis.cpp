#include "cluster/asio_hiredis.hpp"

#include <boost/asio/posix/stream_descriptor.hpp>

#include <memory>

namespace sg::cluster {
namespace {

namespace asio = boost::asio;

// One per attached context. Pending waits hold it through shared pointers, so that a
// wait completing after the context is gone finds `ac` null and does nothing; the
// context's own reference (ev.data) is dropped by cleanup.
struct AsioEvents : std::enable_shared_from_this<AsioEvents> {
  AsioEvents(asio::io_context& ioc, redisAsyncContext* context) : sd(ioc), ac(context) {}

  asio::posix::stream_descriptor sd;
  redisAsyncContext* ac;
  bool want_read = false, want_write = false;
  bool read_armed = false, write_armed = false;
  std::shared_ptr<AsioEvents> self;

  // A wait stays armed after del*: it completes, finds itself unwanted and stops. The
  // hooks must be idempotent (hiredis calls add* again while one is armed).
  void armRead() {
    if (read_armed || !ac) return;
    read_armed = true;
    sd.async_wait(asio::posix::stream_descriptor::wait_read, [s = shared_from_this()](boost::system::error_code ec) {
      s->read_armed = false;
      if (ec || !s->ac || !s->want_read) return;
      redisAsyncHandleRead(s->ac);  // may free the context: cleanup nulls s->ac
      if (s->ac && s->want_read) s->armRead();
    });
  }
  void armWrite() {
    if (write_armed || !ac) return;
    write_armed = true;
    sd.async_wait(asio::posix::stream_descriptor::wait_write, [s = shared_from_this()](boost::system::error_code ec) {
      s->write_armed = false;
      if (ec || !s->ac || !s->want_write) return;
      redisAsyncHandleWrite(s->ac);
      if (s->ac && s->want_write) s->armWrite();
    });
  }
};

AsioEvents* events(void* privdata) { return static_cast<AsioEvents*>(privdata); }

void addRead(void* privdata) {
  auto* e = events(privdata);
  e->want_read = true;
  e->armRead();
}
void delRead(void* privdata) { events(privdata)->want_read = false; }
void addWrite(void* privdata) {
  auto* e = events(privdata);
  e->want_write = true;
  e->armWrite();
}
void delWrite(void* privdata) { events(privdata)->want_write = false; }

// The context is being freed. Its socket is closed by hiredis, so the descriptor gives it
// back (release() also cancels the armed waits) instead of closing it.
void cleanup(void* privdata) {
  auto* e = events(privdata);
  e->ac = nullptr;
  e->want_read = e->want_write = false;
  if (e->sd.is_open()) (void)e->sd.release();
  auto keep = std::move(e->self);  // the object may die here, after this line
}

}  // namespace

bool attachAsio(redisAsyncContext* ac, asio::io_context& ioc) {
  if (ac->ev.data != nullptr) return false;
  auto e = std::make_shared<AsioEvents>(ioc, ac);
  boost::system::error_code ec;
  e->sd.assign(ac->c.fd, ec);
  if (ec) return false;
  e->self = e;
  ac->ev.data = e.get();
  ac->ev.addRead = addRead;
  ac->ev.delRead = delRead;
  ac->ev.addWrite = addWrite;
  ac->ev.delWrite = delWrite;
  ac->ev.cleanup = cleanup;
  return true;
}

}  // namespace sg::cluster
