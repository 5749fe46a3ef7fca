#pragma once
// What the TLS tests share: certificates made in-process with OpenSSL (an EC P-256 key,
// a CA or self-signed certificate for 127.0.0.1 and localhost) written as PEM files into
// a temporary directory, a loopback TCP pair in non-blocking mode, and a real OpenSSL
// client on its client end. Nothing sleeps: waiting is poll() on the sockets, bounded.
#include "net/tls_context.hpp"
#include "net/tls_engine.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <poll.h>
#include <stdlib.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace sg::net::tls_test {

namespace asio = boost::asio;
using boost::system::error_code;

// `text` contains `part` (the failure message shows both).
inline ::testing::AssertionResult contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << text << "' does not contain '" << part << "'";
}

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
  void operator()(X509* x) const { X509_free(x); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;
using CertPtr = std::unique_ptr<X509, CertFree>;

struct Issued {
  KeyPtr key;
  CertPtr cert;
};

inline void addExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  ASSERT_NE(ext, nullptr);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// A certificate for 127.0.0.1 and localhost (or a CA when `ca`), signed by `issuer` or
// self-signed when it is null.
inline Issued issue(const std::string& common_name, long serial, const Issued* issuer = nullptr, bool ca = false) {
  Issued out{KeyPtr(EVP_EC_gen("P-256")), CertPtr(X509_new())};
  X509* x = out.cert.get();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
  X509_gmtime_adj(X509_getm_notBefore(x), -60);
  X509_gmtime_adj(X509_getm_notAfter(x), 86400);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                             -1, 0);
  X509* issuer_cert = issuer ? issuer->cert.get() : x;
  X509_set_issuer_name(x, X509_get_subject_name(issuer_cert));
  X509_set_pubkey(x, out.key.get());
  if (ca) {
    addExtension(x, issuer_cert, NID_basic_constraints, "critical,CA:TRUE");
    addExtension(x, issuer_cert, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    addExtension(x, issuer_cert, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
  }
  X509_sign(x, issuer ? issuer->key.get() : out.key.get(), EVP_sha256());
  return out;
}

inline std::string pemOf(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  return out;
}

// The private key as PEM; encrypted with AES-256-CBC under `passphrase` when it is set.
inline std::string pemOf(EVP_PKEY* key, const std::string& passphrase = "") {
  BIO* bio = BIO_new(BIO_s_mem());
  if (passphrase.empty()) {
    PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  } else {
    PEM_write_bio_PKCS8PrivateKey(bio, key, EVP_aes_256_cbc(), passphrase.c_str(), static_cast<int>(passphrase.size()),
                                  nullptr, nullptr);
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  return out;
}

// A fresh directory under the test temp dir, removed with the object.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::path(::testing::TempDir()) / "sockguard_tls_XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string write(const std::string& name, const std::string& text) const {
    auto p = path_ / name;
    std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
    return p.string();
  }
  std::string path(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// A CA, and a server certificate for 127.0.0.1 signed by it (serial `serial`), as files.
struct ServerFiles {
  std::string cert;  // server certificate, then the CA (a chain)
  std::string key;
  std::string ca;
};

inline ServerFiles writeServerFiles(const TempDir& dir, const std::string& prefix, long serial) {
  Issued ca = issue("sockguard test CA " + prefix, serial * 100, nullptr, true);
  Issued server = issue("127.0.0.1", serial, &ca);
  ServerFiles files;
  files.cert = dir.write(prefix + "cert.pem", pemOf(server.cert.get()) + pemOf(ca.cert.get()));
  files.key = dir.write(prefix + "key.pem", pemOf(server.key.get()));
  files.ca = dir.write(prefix + "ca.pem", pemOf(ca.cert.get()));
  return files;
}

// A connected loopback TCP pair, both ends non-blocking. `buffer_bytes` > 0 makes the
// server's send buffer and the client's receive buffer that small, so large writes block.
struct LoopbackPair {
  asio::io_context ioc;
  net::TcpSocket server;
  asio::ip::tcp::socket client{ioc};

  explicit LoopbackPair(int buffer_bytes = 0) {
    asio::ip::tcp::acceptor acceptor(ioc, {asio::ip::address_v4::loopback(), 0});
    client.open(asio::ip::tcp::v4());
    if (buffer_bytes > 0) client.set_option(asio::socket_base::receive_buffer_size(buffer_bytes));
    client.connect(acceptor.local_endpoint());
    asio::ip::tcp::socket accepted(ioc);
    acceptor.accept(accepted);
    if (buffer_bytes > 0) accepted.set_option(asio::socket_base::send_buffer_size(buffer_bytes));
    accepted.non_blocking(true);
    server = net::TcpSocket(accepted.release());
    client.non_blocking(true);
  }
};

// Waits (bounded) until either socket has something to read.
inline void waitReadable(LoopbackPair& pair, int timeout_ms = 200) {
  pollfd fds[2] = {{pair.server.fd(), POLLIN, 0}, {pair.client.native_handle(), POLLIN, 0}};
  ::poll(fds, 2, timeout_ms);
}

struct ClientOptions {
  int min_version = 0;  // 0: OpenSSL's default
  int max_version = 0;
  std::vector<std::string> alpn;  // offered protocols, none when empty
  std::string tls12_ciphers;      // empty: OpenSSL's default
  bool allow_legacy = false;      // security level 0, needed to offer TLS 1.0/1.1 at all
  std::string ca_file;            // verify the server against this CA when set

  // Chained setters (designated initializers would warn about the members left out).
  ClientOptions versions(int min, int max) && { min_version = min; max_version = max; return std::move(*this); }
  ClientOptions offer(std::vector<std::string> protocols) && { alpn = std::move(protocols); return std::move(*this); }
  ClientOptions ciphers(std::string list) && { tls12_ciphers = std::move(list); return std::move(*this); }
  ClientOptions legacy() && { allow_legacy = true; return std::move(*this); }
  ClientOptions trust(std::string ca) && { ca_file = std::move(ca); return std::move(*this); }
};

inline std::string opensslError() {
  unsigned long code = ERR_peek_last_error();
  ERR_clear_error();
  const char* reason = code ? ERR_reason_error_string(code) : nullptr;
  return reason ? reason : "no OpenSSL error";
}

// A real OpenSSL client on the client end of a LoopbackPair (non-blocking).
class TlsClient {
 public:
  TlsClient(LoopbackPair& pair, const ClientOptions& options = {}) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    if (options.min_version) SSL_CTX_set_min_proto_version(ctx_, options.min_version);
    if (options.max_version) SSL_CTX_set_max_proto_version(ctx_, options.max_version);
    if (options.allow_legacy) SSL_CTX_set_cipher_list(ctx_, "DEFAULT:@SECLEVEL=0");
    if (!options.tls12_ciphers.empty()) SSL_CTX_set_cipher_list(ctx_, options.tls12_ciphers.c_str());
    if (!options.ca_file.empty()) {
      SSL_CTX_load_verify_locations(ctx_, options.ca_file.c_str(), nullptr);
      SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    }
    if (!options.alpn.empty()) {
      std::string wire;
      for (const auto& p : options.alpn) wire += static_cast<char>(p.size()) + p;
      SSL_CTX_set_alpn_protos(ctx_, reinterpret_cast<const unsigned char*>(wire.data()),
                              static_cast<unsigned int>(wire.size()));
    }
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, pair.client.native_handle());
    SSL_set_connect_state(ssl_);
    if (!options.ca_file.empty()) SSL_set1_host(ssl_, "127.0.0.1");
  }
  ~TlsClient() {
    SSL_free(ssl_);
    SSL_CTX_free(ctx_);
  }
  TlsClient(const TlsClient&) = delete;
  TlsClient& operator=(const TlsClient&) = delete;

  // One non-blocking handshake step: 1 done, 0 in progress, -1 failed (see error).
  int handshakeStep() {
    if (done_) return 1;
    if (!error.empty()) return -1;
    ERR_clear_error();
    int r = SSL_do_handshake(ssl_);
    if (r == 1) {
      done_ = true;
      return 1;
    }
    int e = SSL_get_error(ssl_, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return 0;
    error = opensslError();
    if (error == "no OpenSSL error") error = "handshake failed (error " + std::to_string(e) + ")";
    return -1;
  }

  // Writes all of `data` (the receiver must keep reading if it is large).
  bool writeSome(const std::string& data, std::size_t& offset) {
    while (offset < data.size()) {
      std::size_t n = 0;
      int r = SSL_write_ex(ssl_, data.data() + offset, data.size() - offset, &n);
      if (r != 1) {
        int e = SSL_get_error(ssl_, r);
        return e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ;
      }
      offset += n;
    }
    return true;
  }

  // Everything readable now; sets closed on close_notify, error on failure.
  std::string readAvailable() {
    std::string out;
    std::array<char, 16384> buf;
    for (;;) {
      std::size_t n = 0;
      int r = SSL_read_ex(ssl_, buf.data(), buf.size(), &n);
      if (r == 1) {
        out.append(buf.data(), n);
        continue;
      }
      int e = SSL_get_error(ssl_, r);
      if (e == SSL_ERROR_ZERO_RETURN) closed = true;
      else if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) error = opensslError();
      return out;
    }
  }

  void shutdown() { SSL_shutdown(ssl_); }

  std::string alpn() const {
    const unsigned char* data = nullptr;
    unsigned int len = 0;
    SSL_get0_alpn_selected(ssl_, &data, &len);
    return data ? std::string(reinterpret_cast<const char*>(data), len) : "";
  }

  // The serial of the certificate the server presented, in hex ("" before the handshake).
  std::string peerSerial() const {
    X509* cert = SSL_get0_peer_certificate(ssl_);
    if (!cert) return "";
    BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr);
    char* hex = BN_bn2hex(bn);
    std::string out(hex);
    OPENSSL_free(hex);
    BN_free(bn);
    return out;
  }

  SSL* ssl() const { return ssl_; }
  std::string error;
  bool closed = false;

 private:
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  bool done_ = false;
};

struct HandshakeResult {
  bool ok = false;             // both sides finished
  std::string client_error;    // the client's reason when it failed
  error_code server_error;     // the engine's error when it failed
};

// Drives both sides (the engine through read()) until both are done or one failed.
inline HandshakeResult handshake(TlsEngine& engine, LoopbackPair& pair, TlsClient& client) {
  HandshakeResult result;
  std::array<char, 4096> buf;
  for (int round = 0; round < 100; ++round) {
    int c = client.handshakeStep();
    auto r = engine.read(pair.server, buf);
    if (!r && r.error() != asio::error::would_block) result.server_error = r.error();
    if (c < 0 || result.server_error) {
      // Let the other side see the alert, then report both.
      waitReadable(pair, 50);
      client.handshakeStep();
      if (!result.server_error) {
        auto again = engine.read(pair.server, buf);
        if (!again && again.error() != asio::error::would_block) result.server_error = again.error();
      }
      result.client_error = client.error;
      return result;
    }
    if (c == 1 && engine.handshakeDone()) {
      result.ok = true;
      return result;
    }
    waitReadable(pair);
  }
  result.client_error = "handshake did not finish";
  return result;
}

// Reads from the engine until `size` bytes arrived or it fails.
inline std::string engineReadExactly(TlsEngine& engine, LoopbackPair& pair, std::size_t size, error_code& ec) {
  std::string out;
  std::array<char, 8192> buf;
  for (int round = 0; round < 1000 && out.size() < size; ++round) {
    auto r = engine.read(pair.server, buf);
    if (r) {
      out.append(buf.data(), *r);
      continue;
    }
    if (r.error() != asio::error::would_block) {
      ec = r.error();
      return out;
    }
    waitReadable(pair);
  }
  return out;
}

// Reads from the client until `size` bytes arrived, it closed, or it failed.
inline std::string clientReadExactly(TlsClient& client, LoopbackPair& pair, std::size_t size) {
  std::string out;
  for (int round = 0; round < 1000 && out.size() < size && !client.closed && client.error.empty(); ++round) {
    out += client.readAvailable();
    if (out.size() < size && !client.closed && client.error.empty()) waitReadable(pair);
  }
  return out;
}

}  // namespace sg::net::tls_test
