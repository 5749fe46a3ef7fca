// TlsEngine against a real OpenSSL client over a loopback TCP pair in non-blocking mode.
#include "net/tls_engine.hpp"

#include "net/tls_context.hpp"
#include "net/tls_test_support.hpp"

#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

namespace sg::net {
namespace {

using namespace tls_test;

class TlsEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    files_ = writeServerFiles(dir_, "", 1001);
    auto ctx = TlsContext::load(files_.cert, files_.key);
    ASSERT_TRUE(ctx) << ctx.error().message;
    context_ = *ctx;
  }

  TempDir dir_;
  ServerFiles files_;
  std::shared_ptr<TlsContext> context_;
};

std::string pattern(std::size_t size) {
  std::string out(size, '\0');
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<char>('a' + (i * 7 + i / 251) % 26);
  return out;
}

TEST_F(TlsEngineTest, HandshakeThenDataBothWays) {
  LoopbackPair pair;
  TlsEngine engine(context_->current());
  TlsClient client(pair, ClientOptions().trust(files_.ca));
  EXPECT_FALSE(engine.handshakeDone());
  auto hs = handshake(engine, pair, client);
  ASSERT_TRUE(hs.ok) << hs.client_error << " / " << hs.server_error.message();
  EXPECT_EQ(engine.protocolVersion(), "TLSv1.3");
  EXPECT_EQ(SSL_get_verify_result(client.ssl()), X509_V_OK);  // the chain verified against the CA

  std::string request = "GET /socket/websocket HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  std::size_t offset = 0;
  ASSERT_TRUE(client.writeSome(request, offset));
  error_code ec;
  EXPECT_EQ(engineReadExactly(engine, pair, request.size(), ec), request);
  EXPECT_FALSE(ec) << ec.message();

  std::string head = "HTTP/1.1 101 Switching Protocols\r\n";
  std::string tail = "Upgrade: websocket\r\n\r\n";
  std::array<boost::asio::const_buffer, 2> out{boost::asio::buffer(head), boost::asio::buffer(tail)};
  auto written = engine.write(pair.server, out);
  ASSERT_TRUE(written) << written.error().message();
  EXPECT_EQ(*written, head.size() + tail.size());
  EXPECT_FALSE(engine.hasPendingOutput());
  EXPECT_EQ(clientReadExactly(client, pair, head.size() + tail.size()), head + tail);
}

TEST_F(TlsEngineTest, ReadWithNothingToReadIsWouldBlock) {
  LoopbackPair pair;
  TlsEngine engine(context_->current());
  std::array<char, 64> buf;
  auto r = engine.read(pair.server, buf);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), boost::asio::error::would_block);
}

TEST_F(TlsEngineTest, WriteBeforeTheHandshakeIsRefused) {
  LoopbackPair pair;
  TlsEngine engine(context_->current());
  std::string data = "too early";
  std::array<boost::asio::const_buffer, 1> out{boost::asio::buffer(data)};
  auto r = engine.write(pair.server, out);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), boost::asio::error::not_connected);
}

TEST_F(TlsEngineTest, LargeWriteWaitsInTheEngineUntilFlushed) {
  LoopbackPair pair(16 * 1024);
  TlsEngine engine(context_->current());
  TlsClient client(pair);
  ASSERT_TRUE(handshake(engine, pair, client).ok);

  const std::string big = pattern(1 << 20);
  // Three buffers of odd sizes, so records are gathered across buffer boundaries.
  std::array<boost::asio::const_buffer, 3> out{boost::asio::buffer(big.data(), 5),
                                               boost::asio::buffer(big.data() + 5, 300'001),
                                               boost::asio::buffer(big.data() + 300'006, big.size() - 300'006)};
  auto taken = engine.write(pair.server, out);
  ASSERT_TRUE(taken) << taken.error().message();
  EXPECT_EQ(*taken, big.size());  // all of it, though the socket took far less
  ASSERT_TRUE(engine.hasPendingOutput());

  // While ciphertext waits, a new write takes nothing.
  std::string more = "and more";
  std::array<boost::asio::const_buffer, 1> more_out{boost::asio::buffer(more)};
  auto refused = engine.write(pair.server, more_out);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), boost::asio::error::would_block);

  // The client reads; flush() pushes the rest as the socket drains.
  std::string received;
  int would_block = 0;
  for (int round = 0; round < 10'000 && engine.hasPendingOutput(); ++round) {
    received += client.readAvailable();
    auto flushed = engine.flush(pair.server);
    if (!flushed) {
      ASSERT_EQ(flushed.error(), boost::asio::error::would_block) << flushed.error().message();
      ++would_block;
      pollfd fd{pair.client.native_handle(), POLLIN, 0};
      ::poll(&fd, 1, 200);
    }
  }
  EXPECT_FALSE(engine.hasPendingOutput());
  EXPECT_GT(would_block, 0);
  received += clientReadExactly(client, pair, big.size() - received.size());
  ASSERT_EQ(received.size(), big.size());
  EXPECT_TRUE(received == big) << "the bytes differ";

  // Once flushed, writes are taken again.
  auto again = engine.write(pair.server, more_out);
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(clientReadExactly(client, pair, more.size()), more);
}

TEST_F(TlsEngineTest, ManyRecordsInOneReadAreAllReturned) {
  LoopbackPair pair;
  TlsEngine engine(context_->current());
  TlsClient client(pair);
  ASSERT_TRUE(handshake(engine, pair, client).ok);
  // 40 small records in one go: read() must return all of them, not one record per call,
  // or the caller would wait for a readable socket that has nothing left.
  std::string sent;
  for (int i = 0; i < 40; ++i) {
    std::string msg = "message " + std::to_string(i) + ";";
    std::size_t offset = 0;
    ASSERT_TRUE(client.writeSome(msg, offset));
    sent += msg;
  }
  pollfd fd{pair.server.fd(), POLLIN, 0};
  ::poll(&fd, 1, 1000);
  std::array<char, 64 * 1024> buf;
  std::string got;
  for (int round = 0; round < 100 && got.size() < sent.size(); ++round) {
    auto r = engine.read(pair.server, buf);
    if (r) {
      got.append(buf.data(), *r);
      EXPECT_FALSE(engine.hasBufferedInput());
    } else {
      ASSERT_EQ(r.error(), boost::asio::error::would_block);
      ::poll(&fd, 1, 200);
    }
  }
  EXPECT_EQ(got, sent);
}

TEST_F(TlsEngineTest, CloseNotifyIsEof) {
  LoopbackPair pair;
  TlsEngine engine(context_->current());
  TlsClient client(pair);
  ASSERT_TRUE(handshake(engine, pair, client).ok);
  client.shutdown();
  error_code ec;
  engineReadExactly(engine, pair, 1, ec);
  EXPECT_EQ(ec, boost::asio::error::eof) << ec.message();
}

TEST_F(TlsEngineTest, TcpEndWithoutCloseNotifyIsEof) {
  LoopbackPair pair;
  TlsEngine engine(context_->current());
  {
    TlsClient client(pair);
    ASSERT_TRUE(handshake(engine, pair, client).ok);
  }
  pair.client.close();
  error_code ec;
  engineReadExactly(engine, pair, 1, ec);
  EXPECT_EQ(ec, boost::asio::error::eof) << ec.message();
}

TEST_F(TlsEngineTest, ShutdownSendsCloseNotify) {
  LoopbackPair pair;
  TlsEngine engine(context_->current());
  TlsClient client(pair);
  ASSERT_TRUE(handshake(engine, pair, client).ok);
  engine.shutdown(pair.server);
  clientReadExactly(client, pair, 1);
  EXPECT_TRUE(client.closed);
  EXPECT_EQ(client.error, "");
}

TEST_F(TlsEngineTest, PlainHttpIsATlsError) {
  LoopbackPair pair;
  TlsEngine engine(context_->current());
  boost::asio::write(pair.client, boost::asio::buffer(std::string("GET / HTTP/1.1\r\nHost: x\r\n\r\n")));
  error_code ec;
  engineReadExactly(engine, pair, 1, ec);
  EXPECT_EQ(&ec.category(), &tlsCategory());
  EXPECT_EQ(ec.message(), "http request");
  // The failure sticks: the connection is done.
  std::array<char, 16> buf;
  auto again = engine.read(pair.server, buf);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error(), ec);
}

TEST_F(TlsEngineTest, GarbageIsATlsError) {
  LoopbackPair pair;
  TlsEngine engine(context_->current());
  // A handshake record header that claims an absurd version, then junk.
  std::string junk("\x16\x7f\x7f\x00\x10garbagegarbage!!", 21);
  boost::asio::write(pair.client, boost::asio::buffer(junk));
  error_code ec;
  engineReadExactly(engine, pair, 1, ec);
  EXPECT_EQ(&ec.category(), &tlsCategory()) << ec.message();
  EXPECT_FALSE(ec.message().empty());
  EXPECT_FALSE(engine.handshakeDone());
}

TEST_F(TlsEngineTest, GarbageAfterTheHandshakeIsATlsError) {
  LoopbackPair pair;
  TlsEngine engine(context_->current());
  TlsClient client(pair);
  ASSERT_TRUE(handshake(engine, pair, client).ok);
  // An application-data record whose ciphertext was not made with the session's keys.
  std::string forged("\x17\x03\x03\x00\x20", 5);
  forged += std::string(32, 'x');
  boost::asio::write(pair.client, boost::asio::buffer(forged));
  error_code ec;
  engineReadExactly(engine, pair, 1, ec);
  EXPECT_EQ(&ec.category(), &tlsCategory()) << ec.message();
  EXPECT_EQ(ec.message(), "decryption failed or bad record mac");
}

TEST_F(TlsEngineTest, Tls11ClientIsRefused) {
  LoopbackPair pair;
  TlsEngine engine(context_->current());
  TlsClient client(pair, ClientOptions().versions(TLS1_VERSION, TLS1_1_VERSION).legacy());
  auto hs = handshake(engine, pair, client);
  EXPECT_FALSE(hs.ok);
  EXPECT_EQ(&hs.server_error.category(), &tlsCategory());
  EXPECT_EQ(hs.server_error.message(), "unsupported protocol");
  EXPECT_EQ(hs.client_error, "tlsv1 alert protocol version");
}

TEST_F(TlsEngineTest, Tls12WithEcdheAeadIsAccepted) {
  LoopbackPair pair;
  TlsEngine engine(context_->current());
  TlsClient client(pair, ClientOptions().versions(0, TLS1_2_VERSION).ciphers("ECDHE-ECDSA-AES128-GCM-SHA256"));
  auto hs = handshake(engine, pair, client);
  ASSERT_TRUE(hs.ok) << hs.client_error << " / " << hs.server_error.message();
  EXPECT_EQ(engine.protocolVersion(), "TLSv1.2");
}

TEST_F(TlsEngineTest, Tls12WithoutForwardSecrecyOrAeadIsRefused) {
  for (const char* cipher : {"AES128-GCM-SHA256", "ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA384"}) {
    LoopbackPair pair;
    TlsEngine engine(context_->current());
    TlsClient client(pair, ClientOptions().versions(0, TLS1_2_VERSION).ciphers(cipher));
    auto hs = handshake(engine, pair, client);
    EXPECT_FALSE(hs.ok) << cipher;
    EXPECT_EQ(hs.server_error.message(), "no shared cipher") << cipher;
  }
}

TEST_F(TlsEngineTest, AlpnSelectsHttp11) {
  LoopbackPair pair;
  TlsEngine engine(context_->current());
  TlsClient client(pair, ClientOptions().offer({"h2", "http/1.1"}));
  ASSERT_TRUE(handshake(engine, pair, client).ok);
  EXPECT_EQ(engine.alpnSelected(), "http/1.1");
  EXPECT_EQ(client.alpn(), "http/1.1");
}

TEST_F(TlsEngineTest, NoAlpnOfferedIsFine) {
  LoopbackPair pair;
  TlsEngine engine(context_->current());
  TlsClient client(pair);
  ASSERT_TRUE(handshake(engine, pair, client).ok);
  EXPECT_EQ(engine.alpnSelected(), "");
}

TEST_F(TlsEngineTest, H2OnlyClientIsRefusedWithNoApplicationProtocol) {
  LoopbackPair pair;
  TlsEngine engine(context_->current());
  TlsClient client(pair, ClientOptions().offer({"h2"}));
  auto hs = handshake(engine, pair, client);
  EXPECT_FALSE(hs.ok);
  EXPECT_EQ(hs.client_error, "tlsv1 alert no application protocol");
  EXPECT_EQ(&hs.server_error.category(), &tlsCategory());
}

TEST_F(TlsEngineTest, NoSessionIsResumable) {
  LoopbackPair pair;
  TlsEngine engine(context_->current());
  TlsClient client(pair);
  ASSERT_TRUE(handshake(engine, pair, client).ok);
  // TLS 1.3 tickets arrive after the handshake: exchange data so any would have come.
  std::string hello = "ping";
  std::array<boost::asio::const_buffer, 1> out{boost::asio::buffer(hello)};
  ASSERT_TRUE(engine.write(pair.server, out));
  EXPECT_EQ(clientReadExactly(client, pair, hello.size()), hello);
  SSL_SESSION* session = SSL_get1_session(client.ssl());
  ASSERT_NE(session, nullptr);
  EXPECT_EQ(SSL_SESSION_is_resumable(session), 0);
  SSL_SESSION_free(session);
}

}  // namespace
}  // namespace sg::net
