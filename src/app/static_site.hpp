#pragma once
// The web page's files, embedded in the binary at build time (web/ in the source tree),
// so the server runs from any working directory.
#include "http/router.hpp"

namespace sg::app {

void addStaticRoutes(http::Router& router);

}  // namespace sg::app
