#include "http/headers.hpp"

#include "http/field_name.hpp"

#include <algorithm>

namespace sg::http {

Headers::Headers(std::initializer_list<Header> fields) { *this = fields; }

Headers& Headers::operator=(std::initializer_list<Header> fields) {
  text_.clear();
  spans_.clear();
  for (const auto& h : fields) add(h.name, h.value);
  return *this;
}

void Headers::reserve(std::size_t fields, std::size_t bytes) {
  spans_.reserve(fields);
  text_.reserve(bytes);
}

void Headers::add(std::string_view name, std::string_view value) {
  // The parser's header limit keeps a head far below 4 GiB; offsets are 32 bits to keep
  // a field's span small.
  spans_.push_back({static_cast<std::uint32_t>(text_.size()), static_cast<std::uint32_t>(name.size()),
                    static_cast<std::uint32_t>(value.size())});
  text_.append(name);
  text_.append(value);
}

void Headers::set(std::string_view name, std::string_view value) {
  for (auto& s : spans_) {
    if (!sameFieldName(field(s).name, name)) continue;
    // The old value's bytes stay behind unused: set() is for building requests, not parsing.
    std::string owned_name(field(s).name);
    s.at = static_cast<std::uint32_t>(text_.size());
    s.value_size = static_cast<std::uint32_t>(value.size());
    text_.append(owned_name);
    text_.append(value);
    return;
  }
  add(name, value);
}

void Headers::remove(std::string_view name) {
  spans_.erase(std::remove_if(spans_.begin(), spans_.end(), [&](const Span& s) { return field(s).name == name; }),
               spans_.end());
}

std::optional<std::string_view> Headers::find(std::string_view name) const {
  for (const auto& s : spans_) {
    // Sizes first: most fields are ruled out without looking at a byte.
    if (s.name_size != name.size()) continue;
    auto f = field(s);
    if (sameFieldName(f.name, name)) return f.value;
  }
  return std::nullopt;
}

}  // namespace sg::http
