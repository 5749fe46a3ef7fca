#pragma once
// A request's header fields in arrival order, stored flat: every name and value back to
// back in one owned string, with offsets into it. A request head then costs one
// allocation for its fields (none for a head whose offsets fit inline) where a list of
// std::string pairs cost one or two per field. Offsets rather than string_views, so that
// a moved or copied Headers (an SSO string moves its bytes) stays right with no fix-up.
#include <boost/container/small_vector.hpp>

#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>

namespace sg::http {

// One field as given (also the owned form hand-built requests and responses use).
struct Header {
  std::string name;
  std::string value;
};

class Headers {
  struct Span {
    std::uint32_t at;          // name starts here in text_; the value follows it directly
    std::uint32_t name_size;
    std::uint32_t value_size;
  };
  using Spans = boost::container::small_vector<Span, 16>;  // most heads have fewer fields

 public:
  // A field as stored: views into the Headers, valid until it is next changed.
  struct Field {
    std::string_view name;
    std::string_view value;
  };

  class iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Field;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = Field;

    iterator() = default;
    Field operator*() const { return owner_->field(*span_); }
    iterator& operator++() { ++span_; return *this; }
    iterator operator++(int) { auto was = *this; ++span_; return was; }
    bool operator==(const iterator& other) const { return span_ == other.span_; }

   private:
    friend class Headers;
    iterator(const Headers* owner, Spans::const_iterator span) : owner_(owner), span_(span) {}
    const Headers* owner_ = nullptr;
    Spans::const_iterator span_{};
  };
  using const_iterator = iterator;

  Headers() = default;
  Headers(std::initializer_list<Header> fields);
  Headers& operator=(std::initializer_list<Header> fields);

  // Room for `fields` fields of `bytes` name and value bytes in all: one allocation.
  void reserve(std::size_t fields, std::size_t bytes);
  void add(std::string_view name, std::string_view value);
  void push_back(const Header& h) { add(h.name, h.value); }
  // Replaces the first `name` field's value (case-insensitive), or adds the field.
  void set(std::string_view name, std::string_view value);
  // Removes every field named exactly `name` (case-sensitive, as tests build them).
  void remove(std::string_view name);

  // First field with this name (case-insensitive).
  std::optional<std::string_view> find(std::string_view name) const;

  iterator begin() const { return {this, spans_.begin()}; }
  iterator end() const { return {this, spans_.end()}; }
  std::size_t size() const { return spans_.size(); }
  bool empty() const { return spans_.empty(); }

 private:
  Field field(const Span& s) const {
    std::string_view text(text_);
    return {text.substr(s.at, s.name_size), text.substr(s.at + s.name_size, s.value_size)};
  }

  std::string text_;
  Spans spans_;
};

}  // namespace sg::http
