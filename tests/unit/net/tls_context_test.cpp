// TlsContext: loading the certificate and key, the start-up errors (each names the file),
// and reload (new connections get the new certificate, open ones keep working, a broken
// file keeps the old one).
#include "net/tls_context.hpp"

#include "net/tls_engine.hpp"
#include "net/tls_test_support.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <thread>

namespace sg::net {
namespace {

using namespace tls_test;

std::string loadError(const std::string& cert, const std::string& key) {
  auto ctx = TlsContext::load(cert, key);
  EXPECT_FALSE(ctx) << "loaded " << cert << " and " << key;
  return ctx ? "" : ctx.error().message;
}

// The serial the client sees on a new connection made with context.current().
std::string servedSerial(TlsContext& context) {
  LoopbackPair pair;
  TlsEngine engine(context.current());
  TlsClient client(pair);
  auto hs = handshake(engine, pair, client);
  EXPECT_TRUE(hs.ok) << hs.client_error << " / " << hs.server_error.message();
  return client.peerSerial();
}

TEST(TlsContext, LoadsACertificateChainAndKey) {
  TempDir dir;
  auto files = writeServerFiles(dir, "", 0x1234);
  auto ctx = TlsContext::load(files.cert, files.key);
  ASSERT_TRUE(ctx) << ctx.error().message;
  EXPECT_EQ((*ctx)->certFile(), files.cert);
  EXPECT_TRUE(contains((*ctx)->describe(), "CN=127.0.0.1"));
  EXPECT_TRUE(contains((*ctx)->describe(), "serial 1234"));

  LoopbackPair pair;
  TlsEngine engine((*ctx)->current());
  TlsClient client(pair, ClientOptions().trust(files.ca));
  ASSERT_TRUE(handshake(engine, pair, client).ok);
  // The server sent its certificate and the CA behind it.
  EXPECT_EQ(sk_X509_num(SSL_get_peer_cert_chain(client.ssl())), 2);
  EXPECT_EQ(client.peerSerial(), "1234");
}

TEST(TlsContext, MissingFilesAreNamed) {
  TempDir dir;
  auto files = writeServerFiles(dir, "", 1);
  EXPECT_EQ(loadError(dir.path("nope.pem"), files.key),
            "TLS certificate file " + dir.path("nope.pem") + ": cannot open it: No such file or directory");
  EXPECT_EQ(loadError(files.cert, dir.path("nokey.pem")),
            "TLS key file " + dir.path("nokey.pem") + ": cannot open it: No such file or directory");
}

TEST(TlsContext, UnreadableFileIsNamed) {
  TempDir dir;
  auto files = writeServerFiles(dir, "", 1);
  // A directory opens but does not read (file permissions would not stop root).
  std::filesystem::create_directory(dir.path("adir"));
  EXPECT_EQ(loadError(dir.path("adir"), files.key),
            "TLS certificate file " + dir.path("adir") + ": cannot read it: Is a directory");
  if (::geteuid() != 0) {
    ::chmod(files.key.c_str(), 0);
    EXPECT_EQ(loadError(files.cert, files.key), "TLS key file " + files.key + ": cannot open it: Permission denied");
  }
}

TEST(TlsContext, NotPemIsNamed) {
  TempDir dir;
  auto files = writeServerFiles(dir, "", 1);
  auto text = dir.write("text.pem", "this is not a certificate\n");
  EXPECT_EQ(loadError(text, files.key),
            "TLS certificate file " + text + ": not a PEM certificate (expected -----BEGIN CERTIFICATE-----)");
  EXPECT_EQ(loadError(files.cert, text),
            "TLS key file " + text + ": not a PEM private key (expected -----BEGIN PRIVATE KEY-----)");
  auto empty = dir.write("empty.pem", "");
  EXPECT_TRUE(contains(loadError(empty, files.key), "not a PEM certificate"));
  auto damaged = dir.write("damaged.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
  EXPECT_EQ(loadError(damaged, files.key),
            "TLS certificate file " + damaged + ": its PEM certificate does not parse (damaged or truncated)");
}

TEST(TlsContext, SwappedFilesAreNamed) {
  TempDir dir;
  auto files = writeServerFiles(dir, "", 1);
  EXPECT_EQ(loadError(files.key, files.cert),
            "TLS certificate file " + files.key + ": holds a private key, not a certificate (are the two files swapped?)");
}

TEST(TlsContext, KeyOfAnotherCertificateIsRefused) {
  TempDir dir;
  auto first = writeServerFiles(dir, "a-", 1);
  auto second = writeServerFiles(dir, "b-", 2);
  EXPECT_EQ(loadError(first.cert, second.key),
            "TLS key file " + second.key + ": the private key does not match the certificate in " + first.cert);
}

TEST(TlsContext, EncryptedKeyIsRefusedWithoutPrompting) {
  TempDir dir;
  Issued server = issue("127.0.0.1", 7);
  auto cert = dir.write("cert.pem", pemOf(server.cert.get()));
  auto key = dir.write("key.pem", pemOf(server.key.get(), "a passphrase"));
  EXPECT_TRUE(contains(loadError(cert, key), "TLS key file " + key + ": the private key is encrypted with a passphrase"));
}

TEST(TlsContext, ReloadServesTheNewCertificateToNewConnections) {
  TempDir dir;
  auto files = writeServerFiles(dir, "", 0x111);
  auto loaded = TlsContext::load(files.cert, files.key);
  ASSERT_TRUE(loaded) << loaded.error().message;
  TlsContext& context = **loaded;
  EXPECT_EQ(servedSerial(context), "0111");

  // A connection open across the reload.
  LoopbackPair pair;
  TlsEngine engine(context.current());
  TlsClient client(pair);
  ASSERT_TRUE(handshake(engine, pair, client).ok);

  auto renewed = writeServerFiles(dir, "", 0x222);  // same paths, new certificate and key
  auto reloaded = context.reload();
  ASSERT_TRUE(reloaded) << reloaded.error().message;
  EXPECT_EQ(servedSerial(context), "0222");
  EXPECT_TRUE(contains(context.describe(), "serial 0222"));

  // The old connection still works both ways, on its old certificate.
  std::string ping = "still here";
  std::size_t offset = 0;
  ASSERT_TRUE(client.writeSome(ping, offset));
  error_code ec;
  EXPECT_EQ(engineReadExactly(engine, pair, ping.size(), ec), ping);
  std::array<boost::asio::const_buffer, 1> out{boost::asio::buffer(ping)};
  ASSERT_TRUE(engine.write(pair.server, out));
  EXPECT_EQ(clientReadExactly(client, pair, ping.size()), ping);
  EXPECT_EQ(client.peerSerial(), "0111");
}

TEST(TlsContext, ReloadOfABrokenFileKeepsTheOldCertificate) {
  TempDir dir;
  auto files = writeServerFiles(dir, "", 0x333);
  auto loaded = TlsContext::load(files.cert, files.key);
  ASSERT_TRUE(loaded) << loaded.error().message;
  TlsContext& context = **loaded;
  auto before = context.current();

  dir.write("cert.pem", "-----BEGIN CERTIFICATE-----\ntruncated");
  auto reloaded = context.reload();
  ASSERT_FALSE(reloaded);
  EXPECT_EQ(reloaded.error().message,
            "TLS certificate file " + files.cert + ": its PEM certificate does not parse (damaged or truncated)");
  EXPECT_EQ(context.current(), before);
  EXPECT_EQ(servedSerial(context), "0333");

  // A key that no longer matches (renewed certificate, old key): also kept.
  auto other = writeServerFiles(dir, "other-", 0x444);
  std::filesystem::copy_file(other.cert, files.cert, std::filesystem::copy_options::overwrite_existing);
  reloaded = context.reload();
  ASSERT_FALSE(reloaded);
  EXPECT_TRUE(contains(reloaded.error().message, "does not match the certificate in " + files.cert));
  EXPECT_EQ(servedSerial(context), "0333");

  std::filesystem::remove(files.key);
  reloaded = context.reload();
  ASSERT_FALSE(reloaded);
  EXPECT_TRUE(contains(reloaded.error().message, files.key + ": cannot open it: No such file or directory"));
  EXPECT_EQ(servedSerial(context), "0333");
}

TEST(TlsContext, CurrentIsSafeFromManyThreadsDuringReloads) {
  TempDir dir;
  auto files = writeServerFiles(dir, "", 0x555);
  auto loaded = TlsContext::load(files.cert, files.key);
  ASSERT_TRUE(loaded);
  TlsContext& context = **loaded;
  std::atomic<bool> stop{false};
  std::atomic<int> seen{0};
  std::vector<std::thread> readers;
  for (int i = 0; i < 4; ++i)
    readers.emplace_back([&] {
      while (!stop) {
        if (context.current()) ++seen;
      }
    });
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(context.reload());
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_GT(seen.load(), 0);
}

}  // namespace
}  // namespace sg::net
