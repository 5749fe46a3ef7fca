// decodeBinary on any binary frame: never reads past the frame, and a push it accepts is
// exactly its fields re-encoded (kind 0, four one-byte lengths, fields, payload). The
// server's own binary encoders are checked against the same layout.
#include "fuzz_support.hpp"
#include "protocol/phoenix_codec.hpp"

#include <string>
#include <string_view>
#include <vector>

using namespace sg::phoenix;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view frame = sg::fuzz::view(data, size);
  Decoded decoded = decodeBinary(frame);
  if (!decoded.has_value()) return 0;
  const Message& m = *decoded;
  FUZZ_CHECK(m.join_ref && m.ref && m.binary_payload);
  FUZZ_CHECK(m.join_ref->size() <= kMaxRefBytes && m.ref->size() <= kMaxRefBytes);
  FUZZ_CHECK(!m.topic.empty() && !m.event.empty());
  FUZZ_CHECK(m.payload.is_null());

  std::string rebuilt(1, '\0');
  for (const std::string* f : {&*m.join_ref, &*m.ref, &m.topic, &m.event}) rebuilt.push_back(static_cast<char>(f->size()));
  rebuilt += *m.join_ref + *m.ref + m.topic + m.event + *m.binary_payload;
  FUZZ_CHECK(rebuilt == frame);

  // What the server would answer with these fields parses back to the same fields.
  std::vector<std::string_view> fields;
  std::string_view payload;
  std::string reply = encodeBinaryReply(*m.join_ref, *m.ref, m.topic, "ok", *m.binary_payload);
  FUZZ_CHECK(reply[0] == 1 && sg::fuzz::readBinaryLayout(reply, 4, fields, payload));
  FUZZ_CHECK(fields[0] == *m.join_ref && fields[1] == *m.ref && fields[2] == m.topic && fields[3] == "ok");
  FUZZ_CHECK(payload == *m.binary_payload);

  fields.clear();
  std::string broadcast = encodeBinaryBroadcast(m.topic, m.event, *m.binary_payload);
  FUZZ_CHECK(broadcast[0] == 2 && sg::fuzz::readBinaryLayout(broadcast, 2, fields, payload));
  FUZZ_CHECK(fields[0] == m.topic && fields[1] == m.event && payload == *m.binary_payload);

  fields.clear();
  std::string push = encodeBinaryPush(*m.join_ref, m.topic, m.event, *m.binary_payload);
  FUZZ_CHECK(push[0] == 0 && sg::fuzz::readBinaryLayout(push, 3, fields, payload));
  FUZZ_CHECK(fields[0] == *m.join_ref && fields[1] == m.topic && fields[2] == m.event && payload == *m.binary_payload);
  return 0;
}
