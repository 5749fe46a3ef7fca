// ByteStream on its shard's Reactor, over real connected sockets (AF_UNIX stream pairs,
// which epoll reports as it reports TCP): when a wait fires, what a short read means,
// what close and a reactor's shutdown do to waits, a stream that moves, and more ready
// sockets than one epoll batch. Nothing sleeps: the event loop runs until what the test
// waits for has happened, bounded in rounds.
#include "net/byte_stream.hpp"

#include "net/reactor.hpp"
#include "net/tcp_socket.hpp"
#include "net/tls_engine.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sg::net {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using namespace std::chrono_literals;

// A connected pair: `ours` goes into a ByteStream, `peer` is the other end.
struct SocketPair {
  TcpSocket ours;
  TcpSocket peer;
};

SocketPair socketPair() {
  std::array<int, 2> fds{};
  EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds.data()), 0);
  return {TcpSocket(fds[0]), TcpSocket(fds[1])};
}

void send(TcpSocket& to, const std::string& text) {
  asio::const_buffer part(text.data(), text.size());
  auto n = to.write({&part, 1});
  ASSERT_TRUE(n);
  ASSERT_EQ(*n, text.size());
}

// Bytes waiting in the kernel for `socket`, without taking them.
std::size_t waiting(int fd) {
  std::array<char, 256> peek{};
  auto n = ::recv(fd, peek.data(), peek.size(), MSG_PEEK | MSG_DONTWAIT);
  return n > 0 ? static_cast<std::size_t>(n) : 0;
}

std::string readText(ByteStream& stream) {
  std::array<char, 256> buffer{};
  auto n = stream.readSome(buffer);
  if (!n) return "<" + n.error().message() + ">";
  return {buffer.data(), *n};
}

// One wait's outcome: whether it ran, and with what.
struct Outcome {
  bool ran = false;
  error_code ec;
  auto handler() {
    return [this](error_code e) {
      ran = true;
      ec = e;
    };
  }
};

// Writes to `stream` until the socket's send buffer is full (would_block).
void fill(ByteStream& stream) {
  std::vector<char> chunk(64 * 1024, 'x');
  for (int i = 0; i < 1000; ++i) {
    asio::const_buffer part(chunk.data(), chunk.size());
    auto n = stream.writeSome({&part, 1});
    if (!n) {
      ASSERT_TRUE(wouldBlock(n.error())) << n.error().message();
      return;
    }
  }
  FAIL() << "the send buffer never filled";
}

// Reads and drops everything `socket` has.
void drain(TcpSocket& socket) {
  std::vector<char> sink(256 * 1024);
  while (socket.read(sink)) {
  }
}

class ByteStreamTest : public ::testing::Test {
 protected:
  ByteStreamTest() { reactor_.attach(io_); }
  // As a shard does: the waits go while the io_context still exists.
  ~ByteStreamTest() override { reactor_.shutdown(); }

  ByteStream streamOn(TcpSocket socket) { return ByteStream(reactor_, io_, std::move(socket), nullptr); }

  // Runs the event loop until `done` holds; false if it never did (bounded, not paced).
  bool runUntil(const std::function<bool()>& done) {
    for (int round = 0; round < 200 && !done(); ++round) io_.run_one_for(50ms);
    return done();
  }
  // Runs what is ready now and returns.
  void runReady() {
    io_.restart();
    io_.poll();
  }

  Reactor reactor_;
  asio::io_context io_;
};

TEST_F(ByteStreamTest, AWaitFiresWhenDataArrivesAfterADrainedRead) {
  auto pair = socketPair();
  auto stream = streamOn(std::move(pair.ours));
  EXPECT_EQ(readText(stream), "<" + error_code(asio::error::would_block).message() + ">");

  Outcome readable;
  stream.waitReadable(readable.handler());
  runReady();
  EXPECT_FALSE(readable.ran) << "nothing has arrived yet";

  send(pair.peer, "hello");
  ASSERT_TRUE(runUntil([&] { return readable.ran; }));
  EXPECT_FALSE(readable.ec);
  EXPECT_EQ(readText(stream), "hello");
}

TEST_F(ByteStreamTest, AShortReadMeansDrainedUntilTheNextEvent) {
  auto pair = socketPair();
  int fd = pair.ours.fd();
  auto stream = streamOn(std::move(pair.ours));
  send(pair.peer, "abc");
  EXPECT_EQ(readText(stream), "abc");  // shorter than the buffer: the kernel had no more

  send(pair.peer, "def");
  // The bytes are there, but until their event is seen the stream does not ask for them.
  EXPECT_EQ(waiting(fd), 3u);
  EXPECT_EQ(readText(stream), "<" + error_code(asio::error::would_block).message() + ">");

  Outcome readable;
  stream.waitReadable(readable.handler());
  ASSERT_TRUE(runUntil([&] { return readable.ran; }));
  EXPECT_EQ(readText(stream), "def");
}

TEST_F(ByteStreamTest, AReadThatFillsTheBufferReadsAgain) {
  auto pair = socketPair();
  auto stream = streamOn(std::move(pair.ours));
  send(pair.peer, "0123456789abcdef");
  std::array<char, 8> half{};
  ASSERT_EQ(stream.readSome(half).value(), 8u);
  // A full buffer says nothing about what is left: the next read asks the kernel.
  ASSERT_EQ(stream.readSome(half).value(), 8u);
  EXPECT_EQ(std::string(half.data(), half.size()), "89abcdef");
}

TEST_F(ByteStreamTest, AWaitOnAStreamKnownReadableCompletesAtOnceButNotInsideTheCall) {
  auto pair = socketPair();
  auto stream = streamOn(std::move(pair.ours));
  Outcome readable;
  stream.waitReadable(readable.handler());  // nothing has found it drained yet
  EXPECT_FALSE(readable.ran);
  runReady();
  EXPECT_TRUE(readable.ran);
  EXPECT_FALSE(readable.ec);
}

TEST_F(ByteStreamTest, AWriterWaitsUntilThePeerHasReadAndThenWritesAgain) {
  auto pair = socketPair();
  auto stream = streamOn(std::move(pair.ours));
  fill(stream);

  Outcome writable;
  stream.waitWritable(writable.handler());
  runReady();
  EXPECT_FALSE(writable.ran) << "the send buffer is still full";

  drain(pair.peer);
  ASSERT_TRUE(runUntil([&] { return writable.ran; }));
  EXPECT_FALSE(writable.ec);
  std::string more = "more";
  asio::const_buffer part(more.data(), more.size());
  EXPECT_EQ(stream.writeSome({&part, 1}).value(), 4u);
}

TEST_F(ByteStreamTest, ThePeerHangingUpWakesAReaderWhoThenReadsTheEnd) {
  auto pair = socketPair();
  auto stream = streamOn(std::move(pair.ours));
  EXPECT_FALSE(stream.readSome(std::span<char>(std::array<char, 4>{}.data(), 4)));

  Outcome readable;
  stream.waitReadable(readable.handler());
  pair.peer.close();
  ASSERT_TRUE(runUntil([&] { return readable.ran; }));
  EXPECT_FALSE(readable.ec);
  EXPECT_EQ(readText(stream), "<" + error_code(asio::error::eof).message() + ">");
}

TEST_F(ByteStreamTest, CloseAbortsBothWaitsAfterTheCallAndThePeerSeesTheEnd) {
  auto pair = socketPair();
  auto stream = streamOn(std::move(pair.ours));
  EXPECT_FALSE(stream.readSome(std::span<char>(std::array<char, 4>{}.data(), 4)));
  fill(stream);

  Outcome readable, writable;
  stream.waitReadable(readable.handler());
  stream.waitWritable(writable.handler());
  stream.close();
  EXPECT_FALSE(readable.ran || writable.ran) << "handlers run from the event loop, never inside close()";

  ASSERT_TRUE(runUntil([&] { return readable.ran && writable.ran; }));
  EXPECT_EQ(readable.ec, asio::error::operation_aborted);
  EXPECT_EQ(writable.ec, asio::error::operation_aborted);

  drain(pair.peer);
  std::array<char, 4> end{};
  auto n = pair.peer.read(end);
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error(), asio::error::eof);
}

TEST_F(ByteStreamTest, AWaitOnAClosedStreamIsAborted) {
  auto pair = socketPair();
  auto stream = streamOn(std::move(pair.ours));
  stream.close();
  Outcome readable;
  stream.waitReadable(readable.handler());
  ASSERT_TRUE(runUntil([&] { return readable.ran; }));
  EXPECT_EQ(readable.ec, asio::error::operation_aborted);
}

TEST_F(ByteStreamTest, AStreamThatMovedGetsItsEventsAndTheOldOneTakesNoneAway) {
  auto pair = socketPair();
  std::optional<ByteStream> before(streamOn(std::move(pair.ours)));
  EXPECT_FALSE(before->readSome(std::span<char>(std::array<char, 4>{}.data(), 4)));
  ByteStream after(std::move(*before));
  before.reset();  // the moved-from stream going must not stop the events of the new one

  Outcome readable;
  after.waitReadable(readable.handler());
  send(pair.peer, "moved");
  ASSERT_TRUE(runUntil([&] { return readable.ran; }));
  EXPECT_FALSE(readable.ec);
  EXPECT_EQ(readText(after), "moved");
}

TEST_F(ByteStreamTest, EveryReadyStreamIsWokenWhenMoreThanOneBatchIsReady) {
  // More sockets than one epoll_wait takes (256): the rest are served by the next batch.
  constexpr int kStreams = 600;
  std::vector<ByteStream> streams;
  std::vector<TcpSocket> peers;
  streams.reserve(kStreams);
  for (int i = 0; i < kStreams; ++i) {
    auto pair = socketPair();
    streams.push_back(streamOn(std::move(pair.ours)));
    peers.push_back(std::move(pair.peer));
  }
  runReady();  // the first event of each socket (writable) goes by
  int woken = 0;
  for (auto& stream : streams) {
    EXPECT_FALSE(stream.readSome(std::span<char>(std::array<char, 4>{}.data(), 4)));
    stream.waitReadable([&woken](error_code ec) { woken += ec ? 0 : 1; });
  }
  for (auto& peer : peers) send(peer, "x");
  ASSERT_TRUE(runUntil([&] { return woken == kStreams; })) << woken << " of " << kStreams << " woken";
  for (auto& stream : streams) EXPECT_EQ(readText(stream), "x");
}

TEST_F(ByteStreamTest, ShutdownDropsTheWaitsUncalledAndReleasesWhatTheyHold) {
  auto pair = socketPair();
  auto stream = streamOn(std::move(pair.ours));
  EXPECT_FALSE(stream.readSome(std::span<char>(std::array<char, 4>{}.data(), 4)));
  // A wait holds its connection alive, as a session's shared_ptr does.
  auto connection = std::make_shared<int>(1);
  std::weak_ptr<int> watched = connection;
  bool called = false;
  stream.waitReadable([connection, &called](error_code) { called = true; });
  connection.reset();
  ASSERT_FALSE(watched.expired());

  reactor_.shutdown();
  EXPECT_TRUE(watched.expired()) << "the wait's hold on its connection is gone";
  EXPECT_FALSE(called);
  send(pair.peer, "late");
  runReady();
  EXPECT_FALSE(called) << "no events after shutdown";
}

}  // namespace
}  // namespace sg::net
