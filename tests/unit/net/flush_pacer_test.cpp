// net/flush_pacer: when a shard's flush waits, on explicit time points.
#include "net/flush_pacer.hpp"

#include <gtest/gtest.h>

namespace sg::net {
namespace {

using std::chrono::milliseconds;
using Clock = FlushPacer::Clock;

const Clock::time_point kStart{std::chrono::hours(1)};

// One round as the shard runs it: the flush is wanted at `wanted` (queued frames already
// counted), begins when the pacer allows, writes `sockets` for `took`. Returns when it began.
Clock::time_point round(FlushPacer& pacer, Clock::time_point wanted, std::size_t sockets, Clock::duration took) {
  auto began = pacer.holdUntil(wanted).value_or(wanted);
  pacer.flushBegins(sockets);
  pacer.flushEnded(began, began + took);
  return began;
}

void queue(FlushPacer& pacer, std::size_t frames) {
  for (std::size_t i = 0; i < frames; ++i) pacer.noteQueued();
}

TEST(FlushPacer, QuickFlushesNeverWait) {
  FlushPacer pacer;
  auto t = kStart;
  for (int i = 0; i < 1000; ++i) {
    queue(pacer, 300);  // three frames per socket: a load, but every flush is quick
    EXPECT_EQ(round(pacer, t, 100, milliseconds(0)), t);
    t += milliseconds(1);
  }
}

TEST(FlushPacer, BroadcastsOneAtATimeAreHeldBackOnlyByAProbeEveryInterval) {
  // One frame per socket, the next broadcast 1 ms after each flush, 2 000 times: flushes
  // of 1 000 sockets (~4 ms), then of 10 000 (~40 ms), whose probes came every ~5 s when
  // they were spaced by 128 flushes.
  for (auto took : {milliseconds(4), milliseconds(40)}) {
    FlushPacer pacer;
    auto t = kStart;
    int held = 0;
    for (int i = 0; i < 2000; ++i) {
      queue(pacer, 1000);
      auto began = round(pacer, t, 1000, took);
      if (began != t) ++held;
      EXPECT_LE(began - t, std::min<Clock::duration>(took, FlushPacer::kMaxPause));
      t = began + took + milliseconds(1);
      EXPECT_FALSE(pacer.pausing());
    }
    // One probe per 500 ms, each holding back the broadcast that follows it.
    auto probes = (t - kStart) / FlushPacer::kProbeEvery;
    EXPECT_LE(held, probes + 1) << took.count();
    EXPECT_GE(held, probes * 9 / 10) << took.count();
  }
}

TEST(FlushPacer, AProbeThatGathersStartsPausingAtOnce) {
  FlushPacer pacer;
  auto t = kStart;
  // A long flush with one frame per socket: the first is a probe (no probe yet).
  queue(pacer, 5000);
  round(pacer, t, 5000, milliseconds(40));
  auto end = t + milliseconds(40);
  // Broadcasts came during the pause: it ends 40 ms (at most kMaxPause) after the flush.
  queue(pacer, 5 * 5000);
  auto hold = pacer.holdUntil(end + milliseconds(1));
  ASSERT_TRUE(hold);
  EXPECT_EQ(*hold, end + FlushPacer::kMaxPause);
  pacer.flushBegins(5000);
  EXPECT_TRUE(pacer.pausing());
  pacer.flushEnded(*hold, *hold + milliseconds(30));
  // From now on every long flush is followed by a pause, without waiting for a probe.
  for (int i = 0; i < 10; ++i) {
    auto last_end = *hold + milliseconds(30);
    queue(pacer, 3 * 5000);
    hold = pacer.holdUntil(last_end);
    ASSERT_TRUE(hold) << i;
    EXPECT_EQ(*hold, last_end + FlushPacer::kMaxPause);
    pacer.flushBegins(5000);
    pacer.flushEnded(*hold, *hold + milliseconds(30));
    EXPECT_TRUE(pacer.pausing());
  }
}

TEST(FlushPacer, APauseIsAsLongAsTheFlushBeforeItAtMostKMaxPause) {
  FlushPacer pacer;
  queue(pacer, 2 * 100);
  round(pacer, kStart, 100, milliseconds(3));  // gathers: pausing, and the first probe
  queue(pacer, 2 * 100);
  auto hold = pacer.holdUntil(kStart + milliseconds(3));
  ASSERT_TRUE(hold);
  EXPECT_EQ(*hold, kStart + milliseconds(6));
}

TEST(FlushPacer, APauseThatGatheredLessThanTwoFramesPerSocketEndsPausing) {
  FlushPacer pacer;
  queue(pacer, 2 * 100);
  round(pacer, kStart, 100, milliseconds(5));
  ASSERT_TRUE(pacer.pausing());
  queue(pacer, 150);  // 1.5 frames per socket
  auto began = round(pacer, kStart + milliseconds(6), 100, milliseconds(5));
  EXPECT_EQ(began, kStart + milliseconds(10));  // that flush still waited
  EXPECT_FALSE(pacer.pausing());
  // The next long flush is a probe (none yet): it gathers nothing, and then broadcasts
  // go at once until the next probe is due.
  queue(pacer, 100);
  EXPECT_EQ(round(pacer, kStart + milliseconds(16), 100, milliseconds(5)), kStart + milliseconds(20));
  EXPECT_FALSE(pacer.pausing());
  auto probe_end = kStart + milliseconds(25);
  for (auto t = probe_end + milliseconds(1); t < probe_end + FlushPacer::kProbeEvery - milliseconds(10);
       t += milliseconds(10)) {
    queue(pacer, 100);
    EXPECT_EQ(round(pacer, t, 100, milliseconds(5)), t);
  }
}

TEST(FlushPacer, FramesQueuedDuringAFlushCountWithoutAPause) {
  // Another shard's broadcasts arrive while this one writes: two per socket since the last
  // flush began start pausing even though no pause held that flush back.
  FlushPacer pacer;
  queue(pacer, 100);
  round(pacer, kStart, 100, milliseconds(0));
  queue(pacer, 200);
  EXPECT_FALSE(pacer.holdUntil(kStart + milliseconds(1)));
  pacer.flushBegins(100);
  EXPECT_TRUE(pacer.pausing());
}

}  // namespace
}  // namespace sg::net
