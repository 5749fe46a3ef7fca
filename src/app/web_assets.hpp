#pragma once
// Files of web/, generated into the build by cmake/embed_assets.cmake.
#include <span>
#include <string_view>

namespace sg::app {

struct WebAsset {
  std::string_view path;  // relative to web/, e.g. "index.html"
  std::string_view content_type;
  std::string_view data;
};

std::span<const WebAsset> webAssets();

}  // namespace sg::app
