#pragma once
// Phoenix Channels wire format: V1 (JSON objects), V2 (JSON arrays) and V2 binary frames,
// byte for byte as the official `phoenix` JavaScript client 1.8 reads and writes them.
// Pure functions, no I/O; malformed input is answered with an error, never an exception.
#include <boost/assert/source_location.hpp>
#include <boost/json/value.hpp>
#include <boost/system/result.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace sg::phoenix {

enum class Version : std::uint8_t { V1, V2 };

// Parses the `vsn` query parameter as Phoenix matches it: absent means 1.0.0, then
// `~> 2.0.0` is V2 and `~> 1.0.0` V1 (2.0.1 is V2); anything else is nullopt.
std::optional<Version> parseVsn(std::optional<std::string_view> vsn);

// Limits on the envelope fields: refs are small counters, topic and event must fit the
// binary format's one-byte lengths.
inline constexpr std::size_t kMaxRefBytes = 64;
inline constexpr std::size_t kMaxNameBytes = 255;

// One message from a client. Refs are kept as text; a ref the client wrote as a JSON
// integer is marked, so that replies give it back as a number, as Phoenix does.
struct Message {
  std::optional<std::string> join_ref;
  std::optional<std::string> ref;
  bool join_ref_number = false;
  bool ref_number = false;
  std::string topic;
  std::string event;
  boost::json::value payload;                 // text frames
  std::optional<std::string> binary_payload;  // binary frames (V2 only)
};

// Why a frame was refused ("bad topic", "not JSON"): a static sentence, for tests and logs.
struct DecodeError {
  std::string_view reason;
};
[[noreturn]] void throw_exception_from_error(const DecodeError& e, const boost::source_location& loc);

using Decoded = boost::system::result<Message, DecodeError>;

Decoded decodeText(Version version, std::string_view frame);
// The same into `out`, a Message as default-constructed, which holds the message when the
// result has no error (what a socket uses per frame, without moving a Message around).
boost::system::result<void, DecodeError> decodeText(Version version, std::string_view frame, Message& out);
Decoded decodeBinary(std::string_view frame);

// The envelope of a message from the server. Absent refs are encoded as null; a ref
// marked as a number is written bare (it holds the digits the client sent).
struct Envelope {
  std::optional<std::string_view> join_ref;
  std::optional<std::string_view> ref;
  std::string_view topic;
  std::string_view event;
  bool join_ref_number = false;
  bool ref_number = false;
};

// Text frame with an already serialized JSON payload (so a broadcast payload is never
// parsed or re-serialized on its way out).
std::string encodeText(Version version, const Envelope& envelope, std::string_view payload_json);
std::string encodeText(Version version, const Envelope& envelope, const boost::json::value& payload);

// Reply to a push: {"status": status, "response": response}.
std::string encodeReply(Version version, std::optional<std::string_view> join_ref,
                        std::optional<std::string_view> ref, std::string_view topic,
                        std::string_view status, const boost::json::value& response);
// The same with refs that may be numbers (the envelope's event is ignored: phx_reply).
std::string encodeReply(Version version, Envelope envelope, std::string_view status,
                        const boost::json::value& response);
// The same with the response already serialized (one JSON value).
std::string encodeReply(Version version, Envelope envelope, std::string_view status,
                        std::string_view response_json);

// Binary frames (V2). Field lengths are checked by the caller against kMaxNameBytes.
// (Refs in binary frames are always strings.)
std::string encodeBinaryPush(std::string_view join_ref, std::string_view topic,
                             std::string_view event, std::string_view payload);
std::string encodeBinaryReply(std::string_view join_ref, std::string_view ref,
                              std::string_view topic, std::string_view status,
                              std::string_view payload);
std::string encodeBinaryBroadcast(std::string_view topic, std::string_view event,
                                  std::string_view payload);


}  // namespace sg::phoenix
