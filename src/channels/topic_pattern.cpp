#include "channels/topic_pattern.hpp"

namespace sg::channels {

const std::string* findParam(const TopicParams& params, std::string_view name) {
  for (const auto& [key, value] : params)
    if (key == name) return &value;
  return nullptr;
}

std::optional<TopicPattern> TopicPattern::parse(std::string_view pattern) {
  if (pattern.empty()) return std::nullopt;
  TopicPattern p;
  p.text_ = std::string(pattern);
  std::string_view rest = pattern;
  if (rest.back() == '*') {
    p.wildcard_tail_ = true;
    rest.remove_suffix(1);
  }
  while (!rest.empty()) {
    auto open = rest.find('{');
    if (open == std::string_view::npos) {
      if (rest.find_first_of("}*") != std::string_view::npos) return std::nullopt;
      p.parts_.push_back({std::string(rest), {}});
      break;
    }
    if (open > 0) {
      auto literal = rest.substr(0, open);
      if (literal.find_first_of("}*") != std::string_view::npos) return std::nullopt;
      p.parts_.push_back({std::string(literal), {}});
    }
    auto close = rest.find('}', open);
    if (close == std::string_view::npos || close == open + 1) return std::nullopt;
    auto name = rest.substr(open + 1, close - open - 1);
    if (name.find_first_of("{*:") != std::string_view::npos) return std::nullopt;
    // Two adjacent names could split a segment either way: refuse.
    if (!p.parts_.empty() && !p.parts_.back().name.empty()) return std::nullopt;
    p.parts_.push_back({{}, std::string(name)});
    rest.remove_prefix(close + 1);
  }
  if (p.wildcard_tail_ && !p.parts_.empty() && !p.parts_.back().name.empty()) return std::nullopt;
  return p;
}

std::optional<TopicParams> TopicPattern::match(std::string_view topic) const {
  TopicParams params;
  for (const auto& part : parts_) {
    if (part.name.empty()) {
      if (!topic.starts_with(part.literal)) return std::nullopt;
      topic.remove_prefix(part.literal.size());
      continue;
    }
    // A named segment runs to the next ':' (or the end) and may not be empty.
    auto end = topic.find(':');
    auto value = topic.substr(0, end);
    if (value.empty()) return std::nullopt;
    params.emplace_back(part.name, std::string(value));
    topic.remove_prefix(value.size());
  }
  if (wildcard_tail_) {
    if (topic.empty()) return std::nullopt;
  } else if (!topic.empty()) {
    return std::nullopt;
  }
  return params;
}

}  // namespace sg::channels
