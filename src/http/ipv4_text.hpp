#pragma once
// An IPv4 address in dotted-decimal text, as inet_ntop writes it ("192.0.2.1": no leading
// zeros), without inet_ntop's sprintf: the listener formats every peer's address once per
// connection. IPv6 keeps the library's formatting (its zero compression and v4-mapped
// forms are not worth a second implementation).
#include <array>
#include <string>

namespace sg::http {

// `octets` in network order (the first is the leftmost).
std::string ipv4Text(const std::array<unsigned char, 4>& octets);

}  // namespace sg::http
