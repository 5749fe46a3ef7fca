// MemoryOneTimeMarkers: a token id is marked on first use and found on any later one; a
// full store answers Errc::full (the caller says server_busy), never "seen before".
#include "tickets/memory_one_time_markers.hpp"

#include "core/errors.hpp"

#include <gtest/gtest.h>

#include <optional>

namespace sg::tickets {
namespace {

using namespace std::chrono_literals;
using std::chrono::system_clock;

// "first", "seen", or the error's message.
std::string mark(MemoryOneTimeMarkers& markers, std::string_view id, TimePoint until) {
  std::optional<std::string> out;
  markers.markFirstUse(id, until, [&](boost::system::result<bool> r) {
    out = !r ? r.error().message() : (*r ? "first" : "seen");
  });
  EXPECT_TRUE(out.has_value()) << "markFirstUse did not answer";
  return out.value_or("no answer");
}

TEST(MemoryOneTimeMarkers, FirstUseThenSeen) {
  MemoryOneTimeMarkers markers(10);
  auto until = system_clock::now() + 1h;
  EXPECT_EQ(mark(markers, "jti-1", until), "first");
  EXPECT_EQ(mark(markers, "jti-1", until), "seen");
  EXPECT_EQ(mark(markers, "jti-2", until), "first");
  EXPECT_EQ(markers.size(), 2u);
}

TEST(MemoryOneTimeMarkers, IdsAreComparedExactly) {
  MemoryOneTimeMarkers markers(10);
  auto until = system_clock::now() + 1h;
  EXPECT_EQ(mark(markers, "abc", until), "first");
  EXPECT_EQ(mark(markers, "ABC", until), "first");
  EXPECT_EQ(mark(markers, "abc ", until), "first");
}

TEST(MemoryOneTimeMarkers, FullIsAnErrorNotSeen) {
  MemoryOneTimeMarkers markers(2);
  auto until = system_clock::now() + 1h;
  EXPECT_EQ(mark(markers, "a", until), "first");
  EXPECT_EQ(mark(markers, "b", until), "first");
  EXPECT_EQ(mark(markers, "c", until), make_error_code(Errc::full).message());
  // An id already marked is still told apart while full: it is a replay.
  EXPECT_EQ(mark(markers, "a", until), "seen");
  EXPECT_EQ(markers.size(), 2u);
}

TEST(MemoryOneTimeMarkers, WhenFullExpiredMarksMakeRoom) {
  MemoryOneTimeMarkers markers(1);
  EXPECT_EQ(mark(markers, "old", system_clock::now() - 1s), "first");
  EXPECT_EQ(mark(markers, "new", system_clock::now() + 1h), "first");
  EXPECT_EQ(markers.size(), 1u);
}

TEST(MemoryOneTimeMarkers, SweepDropsMarksWhoseTimeIsOver) {
  MemoryOneTimeMarkers markers(10);
  TimePoint t0{std::chrono::seconds(1'700'000'000)};
  mark(markers, "short", t0 + 10s);
  mark(markers, "long", t0 + 1h);
  EXPECT_EQ(markers.sweep(t0 + 10s), 0u);
  EXPECT_EQ(markers.sweep(t0 + 11s), 1u);
  EXPECT_EQ(markers.size(), 1u);
  // After its sweep an id could be used again; by then the token itself is refused as expired.
  EXPECT_EQ(mark(markers, "short", t0 + 10s), "first");
  EXPECT_EQ(mark(markers, "long", t0 + 1h), "seen");
}

}  // namespace
}  // namespace sg::tickets
