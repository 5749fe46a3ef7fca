#include "core/encoding.hpp"

// SHA256_Init & co. are deprecated (not removed) in OpenSSL 3: see sha256() below.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <sodium.h>

#include <algorithm>
#include <cstdlib>
#include <vector>

namespace sg {
namespace {

constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;

// The base64url character of a 6-bit value by arithmetic alone (no table, no branch), so
// that encoding a secret leaks nothing through the cache or the branch predictor, as with
// libsodium's encoder, whose per-call cost this avoids. (k - 1 - x) >> 8 is all ones
// exactly when x >= k (C++20 shifts right arithmetically); each step moves the values
// from k on to the next range.
char base64urlChar(unsigned v) {
  int x = static_cast<int>(v);
  int c = x + 'A';                      // 0..25  -> 'A'..'Z'
  c += ((25 - x) >> 8) & 6;             // 26..51 -> 'a'..'z'  (x + 71)
  c -= ((51 - x) >> 8) & 75;            // 52..61 -> '0'..'9'  (x - 4)
  c -= ((61 - x) >> 8) & 13;            // 62     -> '-'       (x - 17)
  c += ((62 - x) >> 8) & 49;            // 63     -> '_'       (x + 32)
  return static_cast<char>(c);
}

bool isBase64urlChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

}  // namespace

std::string base64urlEncode(std::string_view bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), kVariant) - 1, '\0');
  const auto* in = reinterpret_cast<const unsigned char*>(bytes.data());
  char* o = out.data();
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    unsigned group = (unsigned{in[i]} << 16) | (unsigned{in[i + 1]} << 8) | in[i + 2];
    *o++ = base64urlChar(group >> 18);
    *o++ = base64urlChar((group >> 12) & 63);
    *o++ = base64urlChar((group >> 6) & 63);
    *o++ = base64urlChar(group & 63);
  }
  // A last 1 or 2 bytes make 2 or 3 characters (no padding).
  if (std::size_t rest = bytes.size() - i; rest > 0) {
    unsigned group = (unsigned{in[i]} << 16) | (rest == 2 ? unsigned{in[i + 1]} << 8 : 0u);
    *o++ = base64urlChar(group >> 18);
    *o++ = base64urlChar((group >> 12) & 63);
    if (rest == 2) *o++ = base64urlChar((group >> 6) & 63);
  }
  return out;
}

std::string base64Encode(std::string_view bytes) {
  constexpr int kOriginal = sodium_base64_VARIANT_ORIGINAL;
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), kOriginal), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    kOriginal);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::optional<std::string> base64urlDecode(std::string_view text) {
  // libsodium 1.0.18 decodes any byte >= 0x80 as if it were '_': refuse it before, or one
  // token would have many spellings.
  if (!std::all_of(text.begin(), text.end(), isBase64urlChar)) return std::nullopt;
  std::string out(text.size(), '\0');
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                        &len, &end, kVariant) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

std::optional<std::string> base64EitherDecode(std::string_view text) {
  std::string normalized(text);
  std::replace(normalized.begin(), normalized.end(), '+', '-');
  std::replace(normalized.begin(), normalized.end(), '/', '_');
  while (!normalized.empty() && normalized.back() == '=') normalized.pop_back();
  return base64urlDecode(normalized);
}

namespace {

// Random bytes from OpenSSL's DRBG, drawn a block at a time per thread: a token per
// connection (tickets) made one DRBG call each, whose fixed cost (parameter look-ups and a
// getpid() for fork detection) was most of a token's. What is handed out is wiped from the
// block. sockguard never forks, so the block cannot be shared with a child process.
class RandomPool {
 public:
  ~RandomPool() { sodium_memzero(block_.data(), block_.size()); }
  void fill(unsigned char* out, std::size_t n) {
    while (n > 0) {
      if (used_ == block_.size()) refill();
      std::size_t take = std::min(n, block_.size() - used_);
      std::copy_n(block_.data() + used_, take, out);
      sodium_memzero(block_.data() + used_, take);
      used_ += take;
      out += take;
      n -= take;
    }
  }

 private:
  void refill() {
    // A failure means no entropy at all: nothing safe to hand out.
    if (RAND_bytes(block_.data(), static_cast<int>(block_.size())) != 1) std::abort();
    used_ = 0;
  }
  std::array<unsigned char, 512> block_{};
  std::size_t used_ = block_.size();
};

}  // namespace

std::string randomToken(std::size_t bytes) {
  thread_local RandomPool pool;
  // Tickets and cookies are 32 bytes: drawn on the stack, not the heap.
  std::array<unsigned char, 64> small;
  std::vector<unsigned char> large(bytes > small.size() ? bytes : 0);
  unsigned char* raw = large.empty() ? small.data() : large.data();
  pool.fill(raw, bytes);
  std::string out = base64urlEncode({reinterpret_cast<const char*>(raw), bytes});
  sodium_memzero(raw, bytes);
  return out;
}

// OpenSSL's SHA256_Init/Update/Final: no algorithm look-up (which OpenSSL 3's one-shot
// SHA256() and EVP_DigestInit make on every call), no allocation, and the CPU's SHA
// instructions where it has them. For the 43 bytes of a ticket (hashed at minting and at
// presentation) and an API key, about 50 ns a hash on this CPU against libsodium's
// portable code's 220 ns and a reused EVP context's 90 ns. These functions are deprecated
// in OpenSSL 3 in favour of EVP, whose per-call look-ups are the cost avoided here.
Sha256 sha256(std::string_view data) {
  Sha256 out{};
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, data.data(), data.size());
  SHA256_Final(out.data(), &ctx);
  OPENSSL_cleanse(&ctx, sizeof ctx);
  return out;
}

std::string sha256Hex(std::string_view data) {
  auto digest = sha256(data);
  char hex[2 * 32 + 1];
  sodium_bin2hex(hex, sizeof hex, digest.data(), digest.size());
  return hex;
}

}  // namespace sg
