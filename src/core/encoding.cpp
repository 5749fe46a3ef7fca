#include "core/encoding.hpp"

// SHA256_Init & co. are deprecated (not removed) in OpenSSL 3: see sha256() below.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <sodium.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace sg {
namespace {

constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;

// Eight lanes of one byte each (SWAR): 1 in every byte, and the top bit of every byte.
constexpr std::uint64_t kOnes = 0x0101010101010101;
constexpr std::uint64_t kTop = 0x8080808080808080;

// Eight 6-bit values, one in each byte of `v` (0..63), as their eight base64url
// characters, by arithmetic alone (no table, no branch), so that encoding a secret leaks
// nothing through the cache or the branch predictor, as with libsodium's encoder, whose
// per-call cost this avoids. All eight at once (SWAR): atLeast(k) has 1 in each byte whose
// value is k or more (v + 128 - k sets that byte's top bit exactly then, and no byte
// carries into the next since v <= 63); each range then moves from 'A' + v by a constant.
// The sums stay within a byte (at most 183) and the difference is the character (at least
// '-'), so no byte carries or borrows.
std::uint64_t base64urlChars(std::uint64_t v) {
  auto atLeast = [v](std::uint64_t k) { return ((v + (128 - k) * kOnes) >> 7) & kOnes; };
  std::uint64_t up = v + 'A' * kOnes + 6 * atLeast(26) + 49 * atLeast(63);  // 26.. -> 'a'.., 63 -> '_'
  std::uint64_t down = 75 * atLeast(52) + 13 * atLeast(62);                 // 52.. -> '0'.., 62 -> '-'
  return up - down;
}

// 48 bits (the first byte highest) as eight characters, the first in the lowest byte: in
// four 16-bit lanes of 12 bits (first in the lowest), then each lane's two 6-bit values in
// its two bytes.
std::uint64_t encodeGroup(std::uint64_t group) {
  std::uint64_t lanes = ((group >> 36) & 0xFFF) | (((group >> 24) & 0xFFF) << 16) | (((group >> 12) & 0xFFF) << 32) |
                        ((group & 0xFFF) << 48);
  std::uint64_t sextets = ((lanes >> 6) & 0x003F003F003F003F) | ((lanes << 8) & 0x3F003F003F003F00);
  return base64urlChars(sextets);
}

// `n` (up to 6) bytes as the high bits of a 48-bit group, zero bits after them.
std::uint64_t loadGroup(const unsigned char* in, std::size_t n) {
  std::uint64_t group = 0;
  for (std::size_t k = 0; k < n; ++k) group |= std::uint64_t{in[k]} << (40 - 8 * k);
  return group;
}

// The first `n` characters of encodeGroup's eight.
void storeChars(std::uint64_t chars, char* out, std::size_t n) {
  for (std::size_t j = 0; j < n; ++j) out[j] = static_cast<char>(chars >> (8 * j));
}

// Six bytes as eight characters.
void encodeSix(const unsigned char* in, char* out) {
  std::uint64_t group = 0;
  std::memcpy(&group, in, 6);
  if constexpr (std::endian::native == std::endian::little) {
    group = __builtin_bswap64(group) >> 16;
    std::uint64_t chars = encodeGroup(group);
    std::memcpy(out, &chars, 8);
  } else {
    storeChars(encodeGroup(group >> 16), out, 8);
  }
}

// 1 in the top bit of each byte of `x` (bytes 0..127) that lies in [lo, hi]: x + 128 - lo
// sets the bit from lo on, x + 127 - hi from past hi on, and no byte carries (both sums
// stay under 256 for lo, hi >= '-').
std::uint64_t inRange(std::uint64_t x, unsigned lo, unsigned hi) {
  return (x + (128 - lo) * kOnes) & ~(x + (127 - hi) * kOnes);
}

// 0x80 in each byte of `w` that is a base64url character.
std::uint64_t base64urlBytes(std::uint64_t w) {
  std::uint64_t x = w & ~kTop;  // a byte with its top bit set is refused below
  // x | 0x20 is a lower-case letter exactly when x is a letter of either case.
  std::uint64_t ok = inRange(x | 0x2020202020202020, 'a', 'z') | inRange(x, '0', '9') | inRange(x, '-', '-') |
                     inRange(x, '_', '_');
  return ok & ~w & kTop;
}

}  // namespace

bool isBase64url(std::string_view text) {
  // Eight bytes at a time and no early exit: the time depends on the length alone, not on
  // where a secret's first odd byte is.
  std::uint64_t all = kTop;
  std::size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, text.data() + i, sizeof w);
    all &= base64urlBytes(w);
  }
  if (i < text.size()) {
    std::uint64_t w = 0x4141414141414141;  // 'A's past the end
    std::memcpy(&w, text.data() + i, text.size() - i);
    all &= base64urlBytes(w);
  }
  return all == kTop;
}

std::string base64urlEncode(std::string_view bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), kVariant) - 1, '\0');
  const auto* in = reinterpret_cast<const unsigned char*>(bytes.data());
  char* o = out.data();
  std::size_t i = 0;
  for (; i + 6 <= bytes.size(); i += 6, o += 8) encodeSix(in + i, o);
  // A last 1 to 5 bytes, zero-padded as the encoding pads its last character's bits, make
  // (4 * rest + 2) / 3 characters (no padding characters).
  if (std::size_t rest = bytes.size() - i; rest > 0) storeChars(encodeGroup(loadGroup(in + i, rest)), o, (4 * rest + 2) / 3);
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
  if (!isBase64url(text)) return std::nullopt;
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
  // 4 KiB: 128 tickets per DRBG call (whose fixed cost is what the pool is for); a
  // thread's block is the only randomness held ahead of use, wiped as it is handed out.
  std::array<unsigned char, 4096> block_{};
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
  sodium_memzero(&ctx, sizeof ctx);
  return out;
}

std::string sha256Hex(std::string_view data) {
  auto digest = sha256(data);
  char hex[2 * 32 + 1];
  sodium_bin2hex(hex, sizeof hex, digest.data(), digest.size());
  return hex;
}

}  // namespace sg
