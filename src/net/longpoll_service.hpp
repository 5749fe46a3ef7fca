#pragma once
// Phoenix long-poll requests (DESIGN §4a): the first GET opens a session under the same
// checks as a WebSocket handshake (Origin policy, the per-IP/user/total limits, the
// credentials of DESIGN §3 through the same authenticator), then every GET and POST finds
// its session by the signed session token and is answered on the session's shard.
// A token that names another node (or an earlier run of this one) finds nothing here and
// is told 410, so the client opens a new session wherever it lands. Internal to net/.
#include "http/request.hpp"
#include "http/router.hpp"
#include "protocol/endpoint.hpp"

#include <memory>
#include <string>

namespace sg::net {

struct ServerContext;
struct Shard;
class LongPollConnection;

class LongPollService {
 public:
  explicit LongPollService(ServerContext& ctx) : ctx_(ctx) {}

  // The endpoint serving long-poll at the request's path; null when none does (or
  // long-poll is not configured).
  const protocol::Endpoint* endpointFor(const http::Request& request) const;
  // Answers a request to `endpoint`'s long-poll path. Runs on `here`, the request's
  // connection's shard; `respond` takes the answer back to it from any thread.
  void handle(std::shared_ptr<http::Request> request, const protocol::Endpoint& endpoint, Shard& here,
              http::Respond respond);

 private:
  void open(std::shared_ptr<http::Request> request, const protocol::Endpoint& endpoint, Shard& here,
            http::Respond respond);
  void resume(std::shared_ptr<http::Request> request, std::string token, http::Respond respond);
  // A fresh session token for the next request of the session's client.
  std::string tokenFor(const LongPollConnection& connection, std::size_t shard, const std::string& client_ip) const;
  void refuse(const http::Request& request, CloseReason reason, std::optional<int> retry_after_ms,
              const http::Respond& respond) const;

  ServerContext& ctx_;
};

}  // namespace sg::net
