#pragma once
// UTF-8 validation (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
// WebSocket text messages and close reasons must be valid UTF-8 (RFC 6455 §8.1).
#include <string_view>

namespace sg {

bool isValidUtf8(std::string_view text);

}  // namespace sg
