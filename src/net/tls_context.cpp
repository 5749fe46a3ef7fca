#include "net/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>
#include <vector>

namespace sg::net {
namespace {

constexpr std::size_t kMaxPemBytes = 1 << 20;  // a certificate chain is a few KiB
// TLS 1.2 suites: forward secrecy (ECDHE) and AEAD only. TLS 1.3 keeps OpenSSL's defaults.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

TlsError fileError(std::string_view what, const std::string& path, std::string_view why) {
  return {std::string(what) + " " + path + ": " + std::string(why)};
}

// OpenSSL's reason for the last failure on this thread, and a clean queue.
std::string opensslReason() {
  unsigned long code = ERR_peek_last_error();
  ERR_clear_error();
  const char* reason = code ? ERR_reason_error_string(code) : nullptr;
  return reason ? reason : "unknown OpenSSL error";
}

// A PEM passphrase callback that never asks (OpenSSL's default prompts on the terminal).
int noPassphrase(char*, int, int, void*) { return -1; }

boost::system::result<std::string, TlsError> readFile(std::string_view what, const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fileError(what, path, std::string("cannot open it: ") + std::strerror(errno));
  std::string text;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return fileError(what, path, std::string("cannot read it: ") + std::strerror(err));
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > kMaxPemBytes) {
      ::close(fd);
      return fileError(what, path, "larger than 1 MiB, not a PEM certificate or key");
    }
  }
  ::close(fd);
  return {boost::system::in_place_value, std::move(text)};
}

BioPtr memoryBio(const std::string& text) {
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

struct Chain {
  X509Ptr leaf;
  std::vector<X509Ptr> intermediates;
};

boost::system::result<Chain, TlsError> parseChain(const std::string& path, const std::string& pem) {
  constexpr std::string_view kWhat = "TLS certificate file";
  ERR_clear_error();
  auto bio = memoryBio(pem);
  Chain chain;
  chain.leaf.reset(PEM_read_bio_X509(bio.get(), nullptr, noPassphrase, nullptr));
  if (!chain.leaf) {
    ERR_clear_error();
    if (pem.find("PRIVATE KEY-----") != std::string::npos)
      return fileError(kWhat, path, "holds a private key, not a certificate (are the two files swapped?)");
    if (pem.find("-----BEGIN CERTIFICATE-----") != std::string::npos)
      return fileError(kWhat, path, "its PEM certificate does not parse (damaged or truncated)");
    return fileError(kWhat, path, "not a PEM certificate (expected -----BEGIN CERTIFICATE-----)");
  }
  // The rest of the file, if any, is the chain up to (not necessarily including) the root.
  for (;;) {
    X509Ptr next(PEM_read_bio_X509(bio.get(), nullptr, noPassphrase, nullptr));
    if (!next) break;
    chain.intermediates.push_back(std::move(next));
  }
  unsigned long last = ERR_peek_last_error();
  ERR_clear_error();
  // Running out of PEM blocks ends the loop; anything else is a damaged block.
  if (last != 0 && !(ERR_GET_LIB(last) == ERR_LIB_PEM && ERR_GET_REASON(last) == PEM_R_NO_START_LINE))
    return fileError(kWhat, path,
                     "certificate " + std::to_string(chain.intermediates.size() + 2) + " of the chain does not parse");
  return chain;
}

boost::system::result<PkeyPtr, TlsError> parseKey(const std::string& path, const std::string& pem) {
  constexpr std::string_view kWhat = "TLS key file";
  // Both PKCS#8 ("ENCRYPTED PRIVATE KEY") and legacy ("Proc-Type: 4,ENCRYPTED") forms.
  if (pem.find("-----BEGIN ENCRYPTED PRIVATE KEY-----") != std::string::npos ||
      pem.find("Proc-Type: 4,ENCRYPTED") != std::string::npos)
    return fileError(kWhat, path,
                     "the private key is encrypted with a passphrase; sockguard needs it unencrypted "
                     "(openssl pkey -in KEY -out KEY.plain, readable by the server only)");
  ERR_clear_error();
  auto bio = memoryBio(pem);
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, noPassphrase, nullptr));
  if (!key) {
    ERR_clear_error();
    if (pem.find("-----BEGIN CERTIFICATE-----") != std::string::npos && pem.find("PRIVATE KEY-----") == std::string::npos)
      return fileError(kWhat, path, "holds a certificate, not a private key (are the two files swapped?)");
    if (pem.find("PRIVATE KEY-----") != std::string::npos)
      return fileError(kWhat, path, "its PEM private key does not parse (damaged or truncated)");
    return fileError(kWhat, path, "not a PEM private key (expected -----BEGIN PRIVATE KEY-----)");
  }
  return key;
}

// ALPN: this server speaks HTTP/1.1 only (WebSocket upgrades included).
int selectAlpn(SSL*, const unsigned char** out, unsigned char* out_len, const unsigned char* in, unsigned int in_len,
               void*) {
  static constexpr std::string_view kHttp11 = "http/1.1";
  // `in` is the client's list: length-prefixed names.
  for (unsigned int i = 0; i < in_len;) {
    unsigned int len = in[i];
    if (i + 1 + len > in_len) break;
    if (std::string_view(reinterpret_cast<const char*>(in + i + 1), len) == kHttp11) {
      *out = in + i + 1;
      *out_len = static_cast<unsigned char>(len);
      return SSL_TLSEXT_ERR_OK;
    }
    i += 1 + len;
  }
  return SSL_TLSEXT_ERR_ALERT_FATAL;  // no_application_protocol
}

std::string describeCertificate(X509* cert) {
  if (!cert) return "no certificate";
  std::string out;
  char subject[256];
  X509_NAME_oneline(X509_get_subject_name(cert), subject, sizeof subject);
  out += "subject ";
  out += subject;
  if (BIGNUM* serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr)) {
    if (char* hex = BN_bn2hex(serial)) {
      out += ", serial ";
      out += hex;
      OPENSSL_free(hex);
    }
    BN_free(serial);
  }
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio && ASN1_TIME_print(bio.get(), X509_get0_notAfter(cert))) {
    char* data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    out += ", valid until ";
    out.append(data, static_cast<std::size_t>(len));
  }
  return out;
}

}  // namespace

boost::system::result<std::shared_ptr<ssl_ctx_st>, TlsError> makeServerTlsContext(const std::string& cert_file,
                                                                                   const std::string& key_file) {
  auto cert_pem = readFile("TLS certificate file", cert_file);
  if (!cert_pem) return cert_pem.error();
  auto key_pem = readFile("TLS key file", key_file);
  if (!key_pem) return key_pem.error();
  auto chain = parseChain(cert_file, *cert_pem);
  if (!chain) return chain.error();
  auto key = parseKey(key_file, *key_pem);
  // Wipe our copy of the key's text; OpenSSL holds the parsed key from here on.
  OPENSSL_cleanse(key_pem->data(), key_pem->size());
  if (!key) return key.error();
  if (X509_check_private_key(chain->leaf.get(), key->get()) != 1) {
    ERR_clear_error();
    return fileError("TLS key file", key_file, "the private key does not match the certificate in " + cert_file);
  }

  std::shared_ptr<SSL_CTX> ctx(SSL_CTX_new(TLS_server_method()), SSL_CTX_free);
  auto failed = [&](std::string_view step) { return TlsError{"TLS setup (" + std::string(step) + "): " + opensslReason()}; };
  if (!ctx) return failed("SSL_CTX_new");
  if (SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION) != 1) return failed("minimum version");
  if (SSL_CTX_set_cipher_list(ctx.get(), kTls12Ciphers) != 1) return failed("cipher list");
  SSL_CTX_set_options(ctx.get(), SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET);
  SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
  SSL_CTX_set_num_tickets(ctx.get(), 0);  // TLS 1.3 would otherwise send (stateful) tickets
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_read_ahead(ctx.get(), 1);
  SSL_CTX_set_alpn_select_cb(ctx.get(), selectAlpn, nullptr);
  if (SSL_CTX_use_certificate(ctx.get(), chain->leaf.get()) != 1)
    return fileError("TLS certificate file", cert_file, "OpenSSL refused the certificate: " + opensslReason());
  for (auto& cert : chain->intermediates)
    if (SSL_CTX_add1_chain_cert(ctx.get(), cert.get()) != 1)
      return fileError("TLS certificate file", cert_file, "OpenSSL refused a chain certificate: " + opensslReason());
  if (SSL_CTX_use_PrivateKey(ctx.get(), key->get()) != 1)
    return fileError("TLS key file", key_file, "OpenSSL refused the private key: " + opensslReason());
  if (SSL_CTX_check_private_key(ctx.get()) != 1)
    return fileError("TLS key file", key_file, "the private key does not match the certificate in " + cert_file);
  return ctx;
}

TlsContext::TlsContext(std::string cert_file, std::string key_file, std::shared_ptr<ssl_ctx_st> ctx)
    : cert_file_(std::move(cert_file)), key_file_(std::move(key_file)), ctx_(std::move(ctx)) {}

boost::system::result<std::shared_ptr<TlsContext>, TlsError> TlsContext::load(std::string cert_file,
                                                                               std::string key_file) {
  auto ctx = makeServerTlsContext(cert_file, key_file);
  if (!ctx) return ctx.error();
  return std::make_shared<TlsContext>(std::move(cert_file), std::move(key_file), std::move(*ctx));
}

std::shared_ptr<ssl_ctx_st> TlsContext::current() const {
  std::lock_guard lock(mutex_);
  return ctx_;
}

boost::system::result<void, TlsError> TlsContext::reload() {
  // Loading runs outside the lock: connections keep starting with the old context meanwhile.
  auto ctx = makeServerTlsContext(cert_file_, key_file_);
  if (!ctx) return ctx.error();
  std::lock_guard lock(mutex_);
  ctx_ = std::move(*ctx);
  return {};
}

std::string TlsContext::describe() const {
  auto ctx = current();
  return describeCertificate(SSL_CTX_get0_certificate(ctx.get()));
}

}  // namespace sg::net
