#pragma once
// A summary of one node's entries on one topic: how many, and the XOR of a 64-bit hash of
// each phx_ref (order-free, so it can be kept up to date one join or leave at a time).
// Nodes send theirs in heartbeats; a node whose copy of another's entries sums up
// differently has missed something and asks again.
#include <cstdint>
#include <string_view>

namespace sg::presence {

struct Digest {
  std::uint64_t count = 0;
  std::uint64_t hash = 0;

  void add(std::string_view phx_ref) {
    ++count;
    hash ^= refHash(phx_ref);
  }
  void remove(std::string_view phx_ref) {
    --count;
    hash ^= refHash(phx_ref);
  }
  bool operator==(const Digest&) const = default;

  // FNV-1a: the same on every node and build (std::hash need not be).
  static std::uint64_t refHash(std::string_view s) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (char c : s) {
      h ^= static_cast<unsigned char>(c);
      h *= 0x100000001b3ULL;
    }
    return h;
  }
};

}  // namespace sg::presence
