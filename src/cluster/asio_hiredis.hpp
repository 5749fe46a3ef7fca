#pragma once
// hiredis's async API driven by Asio: the five event hooks of a redisAsyncContext
// (addRead/delRead/addWrite/delWrite/cleanup) become async_wait calls on a
// stream_descriptor over the context's socket, all on one io_context thread. Internal to
// cluster/: only its .cpp files include hiredis and Asio.
#include <hiredis/async.h>

#include <boost/asio/io_context.hpp>

namespace sg::cluster {

// Call right after redisAsyncConnect succeeds and before redisAsyncSetConnectCallback
// (which asks for the first write event). Ownership stays with hiredis: its cleanup hook,
// called when the context is freed (by hiredis on a dropped connection, or by
// redisAsyncFree), detaches the descriptor without closing the socket (redisFree does).
// false when the descriptor cannot be registered.
bool attachAsio(redisAsyncContext* ac, boost::asio::io_context& ioc);

}  // namespace sg::cluster
