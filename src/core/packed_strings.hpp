#pragma once
// A few short strings kept together for a connection's whole life (its client address,
// Origin and Host), in one heap allocation, or none when all are empty. Every idle socket
// holds them: as std::string members they cost 32 bytes each, and each one longer than 15
// characters ("http://localhost" is 16) an allocation of its own with malloc's overhead.
// Immutable once built; moves, does not copy.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <utility>

namespace sg {

template <std::size_t N>
class PackedStrings {
 public:
  PackedStrings() = default;
  explicit PackedStrings(const std::array<std::string_view, N>& parts) {
    std::size_t total = 0;
    for (std::size_t i = 0; i < N; ++i) {
      total += parts[i].size();
      ends_[i] = static_cast<std::uint32_t>(total);  // request heads are far below 4 GiB
    }
    if (total == 0) return;
    data_ = std::make_unique_for_overwrite<char[]>(total);
    std::size_t at = 0;
    for (const auto& part : parts) {
      if (!part.empty()) std::memcpy(data_.get() + at, part.data(), part.size());
      at += part.size();
    }
  }

  // A moved-from one holds empty strings.
  PackedStrings(PackedStrings&& other) noexcept : data_(std::move(other.data_)), ends_(std::exchange(other.ends_, {})) {}
  PackedStrings& operator=(PackedStrings&& other) noexcept {
    data_ = std::move(other.data_);
    ends_ = std::exchange(other.ends_, {});
    return *this;
  }

  std::string_view operator[](std::size_t i) const {
    std::uint32_t begin = i == 0 ? 0 : ends_[i - 1];
    return {data_.get() + begin, ends_[i] - begin};
  }

 private:
  std::unique_ptr<char[]> data_;
  std::array<std::uint32_t, N> ends_{};
};

}  // namespace sg
