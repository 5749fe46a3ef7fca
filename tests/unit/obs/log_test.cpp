// JSON escaping of log messages (the json log format).
#include "obs/log.hpp"

#include <gtest/gtest.h>

namespace sg::obs {
namespace {

TEST(LogEscape, EscapesQuotesBackslashesAndControls) {
  std::string out = "x";
  appendJsonEscaped(out, "a\"b\\c\nd\x01");
  EXPECT_EQ(out, "xa\\\"b\\\\c\\u000ad\\u0001");
}

TEST(LogEscape, KeepsUtf8AsIs) {
  std::string out;
  appendJsonEscaped(out, "h\xC3\xA9llo");
  EXPECT_EQ(out, "h\xC3\xA9llo");
}

}  // namespace
}  // namespace sg::obs
