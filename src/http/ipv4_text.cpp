#include "http/ipv4_text.hpp"

namespace sg::http {

std::string ipv4Text(const std::array<unsigned char, 4>& octets) {
  // At most "255.255.255.255": 15 characters, within the short-string buffer.
  char text[16];
  char* p = text;
  for (std::size_t i = 0; i < octets.size(); ++i) {
    unsigned v = octets[i];
    if (i > 0) *p++ = '.';
    if (v >= 100) {
      *p++ = static_cast<char>('0' + v / 100);
      v %= 100;
      *p++ = static_cast<char>('0' + v / 10);
      *p++ = static_cast<char>('0' + v % 10);
    } else if (v >= 10) {
      *p++ = static_cast<char>('0' + v / 10);
      *p++ = static_cast<char>('0' + v % 10);
    } else {
      *p++ = static_cast<char>('0' + v);
    }
  }
  return std::string(text, static_cast<std::size_t>(p - text));
}

}  // namespace sg::http
