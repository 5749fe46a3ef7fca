#include "protocol/phoenix_codec.hpp"

#include "core/json_input.hpp"
#include "core/plain_json_cursor.hpp"
#include "core/text.hpp"
#include "core/utf8.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/throw_exception.hpp>

#include <array>
#include <cassert>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace sg::phoenix {
namespace json = boost::json;

namespace {

// One numeric part of a semantic version: digits, no leading zero (Elixir's Version.parse).
std::optional<std::uint64_t> versionPart(std::string_view s) {
  if (s.empty() || s.size() > 9 || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  std::uint64_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return n;
}

}  // namespace

std::optional<Version> parseVsn(std::optional<std::string_view> vsn) {
  if (!vsn) return Version::V1;
  // What the official clients send, every connection: answered without the general parse.
  if (*vsn == "2.0.0") return Version::V2;
  if (*vsn == "1.0.0") return Version::V1;
  // MAJOR.MINOR.PATCH, then Phoenix's requirements `~> 2.0.0` (V2) and `~> 1.0.0` (V1):
  // the same major and minor, any patch. Build metadata (+abc) is ignored and a
  // pre-release (2.0.1-rc) does not match, as in Elixir's Version.match?.
  std::string_view v = vsn->substr(0, vsn->find('+'));
  if (v.size() != vsn->size() && v.size() + 1 == vsn->size()) return std::nullopt;  // "2.0.0+"
  auto dot1 = v.find('.');
  auto dot2 = dot1 == std::string_view::npos ? dot1 : v.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos) return std::nullopt;
  auto major = versionPart(v.substr(0, dot1));
  auto minor = versionPart(v.substr(dot1 + 1, dot2 - dot1 - 1));
  auto patch = versionPart(v.substr(dot2 + 1));
  if (!major || !minor || !patch || *minor != 0) return std::nullopt;
  if (*major == 2) return Version::V2;
  if (*major == 1) return Version::V1;
  return std::nullopt;
}

namespace {

constexpr std::size_t kMaxDepth = 32;

// Boost.JSON 1.81 reads a number beyond a double's range (1e400) as infinity and writes it
// back as `Infinity`, which is not JSON: a payload holding one would reach clients as a
// frame they cannot parse (core/json_input refuses it).
bool parseJson(std::string_view text, json::value& out) {
  auto parsed = parseClientJson(text, kMaxDepth);
  if (!parsed) return false;
  out = std::move(*parsed);
  return true;
}

// A ref is a string or null. The official client sends strings; integers are accepted
// (some ports send them), kept in their text form and marked, to be given back as numbers.
bool readRef(const json::value& v, std::optional<std::string>& out, bool& number) {
  if (v.is_null()) return true;
  if (v.is_string()) {
    if (v.get_string().size() > kMaxRefBytes) return false;
    out = std::string(v.get_string());
    return true;
  }
  if (v.is_int64() || v.is_uint64()) {
    out = json::serialize(v);
    number = true;
    return true;
  }
  return false;
}

bool readName(const json::value& v, std::string& out) {
  if (!v.is_string()) return false;
  const auto& s = v.get_string();
  if (s.empty() || s.size() > kMaxNameBytes) return false;
  out = std::string(s);
  return true;
}

Decoded fail(std::string_view why) { return DecodeError{why}; }

Decoded decodeV2(json::value& root) {
  if (!root.is_array()) return fail("expected a JSON array");
  auto& a = root.get_array();
  // [join_ref, ref, topic, event, payload | _]: elements past the fifth are ignored, as
  // Phoenix's V2 serializer does.
  if (a.size() < 5) return fail("expected [join_ref, ref, topic, event, payload]");
  Message m;
  if (!readRef(a[0], m.join_ref, m.join_ref_number) || !readRef(a[1], m.ref, m.ref_number)) return fail("bad ref");
  if (!readName(a[2], m.topic)) return fail("bad topic");
  if (!readName(a[3], m.event)) return fail("bad event");
  m.payload = std::move(a[4]);
  return m;
}

Decoded decodeV1(json::value& root) {
  if (!root.is_object()) return fail("expected a JSON object");
  auto& o = root.get_object();
  Message m;
  const json::value null_value;
  auto field = [&](std::string_view key) -> const json::value& {
    auto* p = o.if_contains(key);
    return p ? *p : null_value;
  };
  if (!readRef(field("join_ref"), m.join_ref, m.join_ref_number) || !readRef(field("ref"), m.ref, m.ref_number)) {
    return fail("bad ref");
  }
  if (!readName(field("topic"), m.topic)) return fail("bad topic");
  if (!readName(field("event"), m.event)) return fail("bad event");
  if (auto* p = o.if_contains("payload")) m.payload = std::move(*p);
  else m.payload = json::object{};
  return m;
}

// The usual V2 frame, read without building a tree for its envelope: refs that are null or
// short strings, topic and event as strings, all without escapes or bytes outside printable
// ASCII, then the payload as the last element. Only the payload is parsed (as the whole
// frame would be, one level shallower), and only when it is not `{}`. Anything else (an
// integer ref, an escape, elements past the fifth, any error) is left to the full parse,
// which alone refuses frames: a frame read here is one it would read the same way.
class EnvelopeReader {
 public:
  explicit EnvelopeReader(std::string_view frame) : in_(frame) {}

  bool read(Message& m) {
    in_.skipSpace();
    if (!in_.take('[')) return false;
    if (!ref(m.join_ref) || !comma() || !ref(m.ref) || !comma()) return false;
    if (!name(m.topic) || !comma() || !name(m.event) || !comma()) return false;
    return payload(m.payload);
  }

 private:
  bool comma() {
    in_.skipSpace();
    if (!in_.take(',')) return false;
    in_.skipSpace();
    return true;
  }
  bool ref(std::optional<std::string>& out) {
    if (in_.takeWord("null")) return true;
    auto s = in_.plainString();
    if (!s || s->size() > kMaxRefBytes) return false;
    out.emplace(*s);
    return true;
  }
  bool name(std::string& out) {
    auto s = in_.plainString();
    if (!s || s->empty() || s->size() > kMaxNameBytes) return false;
    out.assign(*s);
    return true;
  }
  // The rest is the payload and the array's closing bracket.
  bool payload(json::value& out) {
    std::string_view text = in_.rest();
    while (!text.empty() && PlainJsonCursor::isSpace(text.back())) text.remove_suffix(1);
    if (text.empty() || text.back() != ']') return false;
    text.remove_suffix(1);
    while (!text.empty() && PlainJsonCursor::isSpace(text.back())) text.remove_suffix(1);
    if (text == "{}") {
      out.emplace_object();
      return true;
    }
    // Inside the frame's array: one level fewer. Several elements (a fifth, then more) do
    // not parse as one value and go to the full parse.
    auto parsed = parseClientJson(text, kMaxDepth - 1);
    if (!parsed) return false;
    out = std::move(*parsed);
    return true;
  }

  PlainJsonCursor in_;
};

}  // namespace

boost::system::result<void, DecodeError> decodeText(Version version, std::string_view frame, Message& out) {
  if (version == Version::V2) {
    if (EnvelopeReader(frame).read(out)) return {};
    out = Message{};  // what the short reading left half done
  }
  json::value root;
  if (!parseJson(frame, root)) return DecodeError{"not JSON"};
  auto decoded = version == Version::V2 ? decodeV2(root) : decodeV1(root);
  if (!decoded) return decoded.error();
  out = std::move(*decoded);
  return {};
}

Decoded decodeText(Version version, std::string_view frame) {
  Message m;
  if (auto read = decodeText(version, frame, m); !read) return read.error();
  return m;
}

void throw_exception_from_error(const DecodeError& e, const boost::source_location& loc) {
  boost::throw_exception(std::runtime_error(std::string(e.reason)), loc);
}

// Client push: kind 0, then join_ref, ref, topic and event lengths (one byte each),
// the four fields, and the payload bytes.
Decoded decodeBinary(std::string_view frame) {
  constexpr std::size_t kHeader = 5;
  if (frame.size() < kHeader) return fail("binary frame too short");
  auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(frame[i]); };
  if (byte(0) != 0) return fail("binary frame is not a push");
  std::array<std::size_t, 4> sizes{byte(1), byte(2), byte(3), byte(4)};
  std::size_t offset = kHeader;
  std::array<std::string_view, 4> fields;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    if (frame.size() - offset < sizes[i]) return fail("binary frame truncated");
    fields[i] = frame.substr(offset, sizes[i]);
    offset += sizes[i];
  }
  if (fields[2].empty() || fields[3].empty()) return fail("bad topic or event");
  if (fields[0].size() > kMaxRefBytes || fields[1].size() > kMaxRefBytes) return fail("bad ref");
  for (auto f : fields)
    // Refs, topic and event come back in text frames (replies, phx_close), which must be
    // UTF-8 (RFC 6455 §8.1: browsers fail the connection otherwise).
    if (!isValidUtf8(f)) return fail("binary frame field is not UTF-8");
  Message m;
  m.join_ref = std::string(fields[0]);
  m.ref = std::string(fields[1]);
  m.topic = std::string(fields[2]);
  m.event = std::string(fields[3]);
  m.binary_payload = std::string(frame.substr(offset));
  return m;
}

namespace {

// Frames are written in one pass into a string of their exact size: the sizes are counted
// first (escapes included), so a frame costs one allocation and no regrowth.

std::size_t refSize(std::optional<std::string_view> ref, bool number) {
  if (!ref) return 4;                // null
  if (number) return ref->size();    // digits read from the client's JSON integer
  return jsonStringSize(*ref);
}

class FrameWriter {
 public:
  explicit FrameWriter(std::size_t size) : out_(size, '\0'), p_(out_.data()) {}

  void raw(std::string_view s) {
    if (s.empty()) return;  // an empty view may hold a null pointer, which memcpy must not get
    std::memcpy(p_, s.data(), s.size());
    p_ += s.size();
  }
  void put(char c) { *p_++ = c; }
  // `size` is jsonStringSize(s).
  void quoted(std::string_view s, std::size_t size) {
    put('"');
    if (size == s.size() + 2) {
      raw(s);
    } else {
      std::string escaped;  // rare: the escapes are core/text's, byte for byte
      escaped.reserve(size);
      appendJsonEscaped(escaped, s);
      raw(escaped);
    }
    put('"');
  }
  void ref(std::optional<std::string_view> ref, bool number, std::size_t size) {
    if (!ref) raw("null");
    else if (number) raw(*ref);
    else quoted(*ref, size);
  }
  std::string take() {
    assert(p_ == out_.data() + out_.size());
    return std::move(out_);
  }

 private:
  std::string out_;
  char* p_;
};

// A text frame whose payload (`payload_size` bytes) `write_payload` writes.
template <class WritePayload>
std::string buildText(Version version, const Envelope& e, std::size_t payload_size, WritePayload&& write_payload) {
  const std::size_t join_ref = refSize(e.join_ref, e.join_ref_number);
  const std::size_t ref = refSize(e.ref, e.ref_number);
  const std::size_t topic = jsonStringSize(e.topic);
  const std::size_t event = jsonStringSize(e.event);
  if (version == Version::V2) {
    // [join_ref,ref,topic,event,payload]
    FrameWriter w(6 + join_ref + ref + topic + event + payload_size);
    w.put('[');
    w.ref(e.join_ref, e.join_ref_number, join_ref);
    w.put(',');
    w.ref(e.ref, e.ref_number, ref);
    w.put(',');
    w.quoted(e.topic, topic);
    w.put(',');
    w.quoted(e.event, event);
    w.put(',');
    write_payload(w);
    w.put(']');
    return w.take();
  }
  constexpr std::string_view kTopic = "{\"topic\":", kEvent = ",\"event\":", kPayload = ",\"payload\":",
                             kRef = ",\"ref\":", kJoinRef = ",\"join_ref\":";
  FrameWriter w(kTopic.size() + kEvent.size() + kPayload.size() + kRef.size() + kJoinRef.size() + 1 + join_ref + ref +
                topic + event + payload_size);
  w.raw(kTopic);
  w.quoted(e.topic, topic);
  w.raw(kEvent);
  w.quoted(e.event, event);
  w.raw(kPayload);
  write_payload(w);
  w.raw(kRef);
  w.ref(e.ref, e.ref_number, ref);
  w.raw(kJoinRef);
  w.ref(e.join_ref, e.join_ref_number, join_ref);
  w.put('}');
  return w.take();
}

// A value Boost.JSON would serialize as "{}" (the usual response) is written without a serializer.
std::string_view serializedJson(const json::value& response, std::string& storage) {
  if (response.is_object() && response.get_object().empty()) return "{}";
  storage = json::serialize(response);
  return storage;
}

}  // namespace

std::string encodeText(Version version, const Envelope& e, std::string_view payload_json) {
  return buildText(version, e, payload_json.size(), [&](FrameWriter& w) { w.raw(payload_json); });
}

std::string encodeText(Version version, const Envelope& e, const json::value& payload) {
  std::string storage;
  return encodeText(version, e, serializedJson(payload, storage));
}

std::string encodeReply(Version version, std::optional<std::string_view> join_ref,
                        std::optional<std::string_view> ref, std::string_view topic,
                        std::string_view status, const json::value& response) {
  return encodeReply(version, Envelope{join_ref, ref, topic, {}}, status, response);
}

std::string encodeReply(Version version, Envelope envelope, std::string_view status, const json::value& response) {
  std::string storage;
  return encodeReply(version, envelope, status, serializedJson(response, storage));
}

std::string encodeReply(Version version, Envelope envelope, std::string_view status, std::string_view response_json) {
  // {"status":status,"response":response}
  constexpr std::string_view kStatus = "{\"status\":", kResponse = ",\"response\":";
  const std::size_t status_size = jsonStringSize(status);
  envelope.event = "phx_reply";
  return buildText(version, envelope, kStatus.size() + status_size + kResponse.size() + response_json.size() + 1,
                   [&](FrameWriter& w) {
                     w.raw(kStatus);
                     w.quoted(status, status_size);
                     w.raw(kResponse);
                     w.raw(response_json);
                     w.put('}');
                   });
}

namespace {

std::string binaryFrame(std::uint8_t kind, std::initializer_list<std::string_view> fields,
                        std::string_view payload) {
  std::string out;
  std::size_t total = 1 + fields.size() + payload.size();
  for (auto f : fields) total += f.size();
  out.reserve(total);
  out.push_back(static_cast<char>(kind));
  for (auto f : fields) out.push_back(static_cast<char>(static_cast<std::uint8_t>(f.size())));
  for (auto f : fields) out += f;
  out += payload;
  return out;
}

}  // namespace

// Server push: kind 0 without a ref (the client's decodePush reads three lengths).
std::string encodeBinaryPush(std::string_view join_ref, std::string_view topic,
                             std::string_view event, std::string_view payload) {
  return binaryFrame(0, {join_ref, topic, event}, payload);
}

std::string encodeBinaryReply(std::string_view join_ref, std::string_view ref,
                              std::string_view topic, std::string_view status,
                              std::string_view payload) {
  return binaryFrame(1, {join_ref, ref, topic, status}, payload);
}

std::string encodeBinaryBroadcast(std::string_view topic, std::string_view event,
                                  std::string_view payload) {
  return binaryFrame(2, {topic, event}, payload);
}

}  // namespace sg::phoenix
