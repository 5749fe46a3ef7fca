#include "http/header_list.hpp"

#include "core/text.hpp"

namespace sg::http {

bool sameHeaderName(std::string_view a, std::string_view b) { return iequals(a, b); }

}  // namespace sg::http
