#pragma once
// Topic patterns: "lobby" (exact), "room:*" (any non-empty rest), and "user_count:{user_id}"
// (a named segment that contains no ':'). A match yields the named segments.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sg::channels {

using TopicParams = std::vector<std::pair<std::string, std::string>>;

const std::string* findParam(const TopicParams& params, std::string_view name);

class TopicPattern {
 public:
  // nullopt when the pattern is malformed (unbalanced braces, '*' not at the end...).
  static std::optional<TopicPattern> parse(std::string_view pattern);

  std::optional<TopicParams> match(std::string_view topic) const;
  const std::string& text() const { return text_; }

 private:
  struct Part {
    std::string literal;  // matched as is when name is empty
    std::string name;     // a {name} segment
  };
  std::string text_;
  std::vector<Part> parts_;
  bool wildcard_tail_ = false;
};

}  // namespace sg::channels
