#pragma once
// Outcomes counted by label ("4401 token_invalid", "http 431", "timeout"), per kind of
// attack. Each attacker part keeps its tallies on its own thread; the report reads them
// once that thread has stopped.
#include <cstdint>
#include <map>
#include <string>

namespace sg::attack {

using Tally = std::map<std::string, std::uint64_t>;

class KindTally {
 public:
  void add(const std::string& kind, const std::string& label, std::uint64_t n = 1) { by_kind_[kind][label] += n; }
  const std::map<std::string, Tally>& byKind() const { return by_kind_; }
  std::uint64_t count(const std::string& kind) const {
    std::uint64_t n = 0;
    if (auto it = by_kind_.find(kind); it != by_kind_.end())
      for (const auto& [label, c] : it->second) n += c;
    return n;
  }
  Tally total() const {
    Tally out;
    for (const auto& [kind, tally] : by_kind_)
      for (const auto& [label, n] : tally) out[label] += n;
    return out;
  }

 private:
  std::map<std::string, Tally> by_kind_;
};

inline void merge(Tally& into, const Tally& from) {
  for (const auto& [label, n] : from) into[label] += n;
}

}  // namespace sg::attack
