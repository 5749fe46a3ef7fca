#include "http/header_list.hpp"

#include "http/field_name.hpp"

namespace sg::http {

bool sameHeaderName(std::string_view a, std::string_view b) { return sameFieldName(a, b); }

}  // namespace sg::http
