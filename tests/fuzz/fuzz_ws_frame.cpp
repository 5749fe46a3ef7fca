// The RFC 6455 frame parser on any bytes a client can send. Invariants: delivered messages
// respect the size limit, text is UTF-8, control payloads fit a control frame, nothing is
// delivered after a close or an error, and the events do not depend on how the bytes were
// cut into reads (all at once versus chunks of a size taken from the input).
#include "core/utf8.hpp"
#include "fuzz_support.hpp"
#include "net/ws_frame.hpp"

#include <string>
#include <vector>

namespace {

using namespace sg::net::ws;

constexpr std::size_t kMaxMessage = 1024;

struct Outcome {
  std::vector<std::string> events;
  FrameError error = FrameError::None;
};

class Recorder : public FrameSink {
 public:
  explicit Recorder(Outcome& out) : out_(out) {}
  void onMessage(bool binary, std::string_view payload) override {
    FUZZ_CHECK(payload.size() <= kMaxMessage);
    FUZZ_CHECK(binary || sg::isValidUtf8(payload));
    out_.events.push_back((binary ? "B:" : "T:") + std::string(payload));
  }
  void onPing(std::string_view payload) override {
    FUZZ_CHECK(payload.size() <= 125);
    out_.events.push_back("P:" + std::string(payload));
  }
  void onPeerClose(std::optional<std::uint16_t> code) override {
    out_.events.push_back("C:" + (code ? std::to_string(*code) : std::string("none")));
  }

 private:
  Outcome& out_;
};

Outcome parse(std::string bytes, std::size_t chunk) {
  Outcome out;
  Recorder sink(out);
  FrameParser parser(kMaxMessage);
  for (std::size_t at = 0; at < bytes.size(); at += chunk) {
    std::size_t before = out.events.size();
    bool was_stopped = parser.stopped();
    FrameError error = parser.feed(bytes.data() + at, std::min(chunk, bytes.size() - at), sink);
    if (was_stopped) FUZZ_CHECK(out.events.size() == before && error == FrameError::None);
    if (error != FrameError::None) {
      out.error = error;
      FUZZ_CHECK(parser.stopped());
      FUZZ_CHECK(parser.bufferedBytes() == 0);
    }
    // What waits for more input is one incomplete frame (at most a header and the message
    // limit) and a fragmented message, plus the growth of the last read appended to it.
    FUZZ_CHECK(parser.bufferedBytes() <= 4 * (kMaxMessage + 14) + bytes.size());
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  std::size_t chunk = 1 + data[0] % 32;
  std::string bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  Outcome whole = parse(bytes, bytes.size() + 1);
  Outcome chunked = parse(bytes, chunk);
  FUZZ_CHECK(whole.events == chunked.events);
  FUZZ_CHECK(whole.error == chunked.error);
  return 0;
}
