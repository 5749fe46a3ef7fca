#include "pubsub/broadcast.hpp"

#include <cstdio>
#include <cstdlib>

namespace sg::pubsub {

CodecId registerCodec(std::string_view name) {
  static std::atomic<unsigned> next{0};
  unsigned id = next.fetch_add(1);
  if (id >= kMaxCodecs) {
    std::fprintf(stderr, "pubsub: too many codecs (%.*s); raise kMaxCodecs\n", static_cast<int>(name.size()), name.data());
    std::abort();
  }
  return static_cast<CodecId>(id);
}

}  // namespace sg::pubsub
