// decodeText, V1 and V2, on any frame a client can send: never throws, and a message it
// accepts keeps the envelope limits and survives encodeText -> decodeText unchanged (so
// what the server echoes back, refs and topics, is what the client sent).
#include "fuzz_support.hpp"
#include "protocol/phoenix_codec.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string_view>

namespace {

using namespace sg::phoenix;

std::optional<std::string_view> asView(const std::optional<std::string>& s) {
  return s ? std::optional<std::string_view>(*s) : std::nullopt;
}

// JSON equality, but doubles may differ in their last bits: Boost.JSON 1.81 does not
// round every 17-digit mantissa correctly, so re-reading its own shortest output can land
// one ulp away (2.1844674407370954 reads back as 2.184467440737095). Not a sockguard bug.
bool sameJson(const boost::json::value& a, const boost::json::value& b) {
  if (a.is_double() && b.is_double()) {
    double x = a.get_double(), y = b.get_double();
    return x == y || std::abs(x - y) <= 1e-15 * std::max(std::abs(x), std::abs(y));
  }
  if (a.kind() != b.kind()) return false;
  if (a.is_array()) {
    const auto &p = a.get_array(), &q = b.get_array();
    if (p.size() != q.size()) return false;
    for (std::size_t i = 0; i < p.size(); ++i)
      if (!sameJson(p[i], q[i])) return false;
    return true;
  }
  if (a.is_object()) {
    const auto &p = a.get_object(), &q = b.get_object();
    if (p.size() != q.size()) return false;
    for (const auto& entry : p) {
      const auto* other = q.if_contains(entry.key());
      if (!other || !sameJson(entry.value(), *other)) return false;
    }
    return true;
  }
  return a == b;
}

void checkOne(Version version, std::string_view frame) {
  Decoded decoded = decodeText(version, frame);
  if (!decoded.has_value()) return;
  const Message& m = *decoded;
  FUZZ_CHECK(!m.topic.empty() && m.topic.size() <= kMaxNameBytes);
  FUZZ_CHECK(!m.event.empty() && m.event.size() <= kMaxNameBytes);
  // Numeric refs are kept as their text; a 64-bit integer is at most 20 characters.
  FUZZ_CHECK(!m.ref || m.ref->size() <= kMaxRefBytes);
  FUZZ_CHECK(!m.join_ref || m.join_ref->size() <= kMaxRefBytes);
  FUZZ_CHECK(!m.binary_payload);

  Envelope envelope{asView(m.join_ref), asView(m.ref), m.topic, m.event};
  envelope.join_ref_number = m.join_ref_number;  // integer refs go back as integers
  envelope.ref_number = m.ref_number;
  std::string again = encodeText(version, envelope, m.payload);
  Decoded round = decodeText(version, again);
  FUZZ_CHECK(round.has_value());
  const Message& r = *round;
  FUZZ_CHECK(r.join_ref == m.join_ref && r.ref == m.ref);
  FUZZ_CHECK(r.join_ref_number == m.join_ref_number && r.ref_number == m.ref_number);
  FUZZ_CHECK(r.topic == m.topic && r.event == m.event);
  FUZZ_CHECK(sameJson(r.payload, m.payload));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view frame = sg::fuzz::view(data, size);
  checkOne(Version::V1, frame);
  checkOne(Version::V2, frame);
  return 0;
}
