#pragma once
// A protocol::Transport that records frames and close reasons, for tests.
#include "protocol/transport.hpp"

#include <boost/json/parse.hpp>

#include <vector>

namespace sg::test {

class FakeTransport final : public protocol::Transport {
 public:
  struct Sent {
    pubsub::Frame frame;
    bool binary;
  };

  protocol::SendResult send(pubsub::Frame frame, bool binary) override {
    sent.push_back(Sent{std::move(frame), binary});
    return protocol::SendResult::Queued;
  }
  void close(CloseReason reason) override { closes.push_back(reason); }

  // The i-th text frame, parsed.
  boost::json::value json(std::size_t i) const { return boost::json::parse(*sent.at(i).frame); }
  boost::json::value lastJson() const { return json(sent.size() - 1); }

  std::vector<Sent> sent;
  std::vector<CloseReason> closes;
};

}  // namespace sg::test
