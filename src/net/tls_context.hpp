#pragma once
// The server's TLS configuration: its certificate (chain allowed) and private key, read
// from PEM files into an OpenSSL SSL_CTX with sockguard's policy:
// - TLS 1.2 minimum; for 1.2 only ECDHE with AES-GCM or ChaCha20-Poly1305, for 1.3
//   OpenSSL's defaults (all AEAD);
// - no renegotiation, no compression;
// - ALPN: "http/1.1" is selected when the client offers it; a client that offers only
//   other protocols (h2 alone) is refused with the no_application_protocol alert;
// - no session resumption (no tickets, no session cache): WebSocket connections live
//   long, so a full handshake per connection costs little, and there is no ticket key to
//   rotate or leak (a stolen ticket key would decrypt recorded traffic);
// - SSL_MODE_RELEASE_BUFFERS, so an idle connection holds no 34 KiB of record buffers;
//   read-ahead, so one recv() fetches several records.
//
// reload() re-reads both files (the server calls it on SIGHUP). New connections use
// current(); connections already open keep the SSL_CTX they started with (each SSL
// holds a reference). When the files fail to load, the old context keeps serving and the
// error says why. Internal to net/ (and its wiring in cli/); no Beast, no Asio.
#include "net/tls_error.hpp"

#include <boost/system/result.hpp>

#include <memory>
#include <mutex>
#include <string>

struct ssl_ctx_st;  // OpenSSL's SSL_CTX

namespace sg::net {

class TlsContext {
 public:
  // Reads both files. Errors name the file and say what is wrong with it: missing,
  // unreadable, not PEM, encrypted key, key not matching the certificate.
  static boost::system::result<std::shared_ptr<TlsContext>, TlsError> load(std::string cert_file,
                                                                             std::string key_file);

  // The context new connections use. Any thread.
  std::shared_ptr<ssl_ctx_st> current() const;

  // Re-reads both files; on success new connections use them, on failure the current
  // context stays and the error says why. Any thread.
  boost::system::result<void, TlsError> reload();

  // One line about the current certificate for logs: subject, serial, expiry.
  std::string describe() const;

  const std::string& certFile() const { return cert_file_; }
  const std::string& keyFile() const { return key_file_; }

  TlsContext(std::string cert_file, std::string key_file, std::shared_ptr<ssl_ctx_st> ctx);

 private:
  const std::string cert_file_;
  const std::string key_file_;
  mutable std::mutex mutex_;
  std::shared_ptr<ssl_ctx_st> ctx_;
};

// One SSL_CTX with the policy above, from the two files (what load() and reload() use).
boost::system::result<std::shared_ptr<ssl_ctx_st>, TlsError> makeServerTlsContext(const std::string& cert_file,
                                                                                   const std::string& key_file);

}  // namespace sg::net
