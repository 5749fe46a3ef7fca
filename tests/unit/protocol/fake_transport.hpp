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
  void closeWith(CloseReason reason, std::optional<int> retry_after_ms) override {
    closes.push_back(reason);
    retry_after.push_back(retry_after_ms);
  }
  void setMaxMessageBytes(std::size_t bytes) override { max_message_bytes = bytes; }
  // Posted tasks wait in `posted` until the test runs them (runPosted), as a shard would
  // run them on a later turn.
  Poster poster() override {
    return [this](std::function<void()> task) { posted.push_back(std::move(task)); };
  }
  // The connection's life: reset it to end the connection (later answers then do nothing).
  std::weak_ptr<const void> lifetime() const override { return alive; }
  void runPosted() {
    auto tasks = std::move(posted);
    posted.clear();
    for (auto& t : tasks) t();
  }

  // The i-th text frame, parsed.
  boost::json::value json(std::size_t i) const { return boost::json::parse(*sent.at(i).frame); }
  boost::json::value lastJson() const { return json(sent.size() - 1); }

  std::vector<Sent> sent;
  std::vector<CloseReason> closes;
  std::vector<std::optional<int>> retry_after;
  std::size_t max_message_bytes = 0;
  std::vector<std::function<void()>> posted;
  std::shared_ptr<int> alive = std::make_shared<int>(0);
};

}  // namespace sg::test
