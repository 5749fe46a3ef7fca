#pragma once
// When a shard writes what its sockets have queued: the policy alone, on explicit time
// points (net/shard runs it with the clock and a timer). Internal to net/.
//
// A flush writes every waiting socket once, one system call each, so broadcasts that come
// faster than flushes should leave together. A flush that took long (many sockets) is
// followed by a pause as long, at most kMaxPause: the shard gets time for other work, and
// the frames queued meanwhile leave with the next flush. A pause that gathered fewer than
// two frames per socket (broadcasts come one at a time, each waited for) is dropped, so a
// lone broadcast is not held back. While not pausing, a long flush still pauses at most
// once per kProbeEvery, to find out whether a load has begun (so a shard that
// stopped pausing probes again at its next long flush, unless it probed just before).
//
// The probe is spaced in time, not in flushes: spaced by 128 flushes it came every ~5 s
// with 10 000 subscribers (~40 ms a flush), longer than make bench's heavy phase, and the
// shard that read the broadcast requests took one per flush all through it (one frame per
// write, ~200 000 deliveries/s instead of 550 000-750 000).
//
// A probe is as long as a pause. A client that waits for each broadcast before it
// publishes the next pays for that on the broadcast a probe catches (up to a flush's time,
// ~7 ms for 1 000 sockets, once per kProbeEvery), but measured in the peers harness (one
// broadcast in flight to 1 000 subscribers) its p50 and p99 did not move beyond the
// run-to-run noise. A 1 ms probe was tried: with 16 broadcasts in flight it hardly ever
// found the load (one frame per write, 75 000-185 000 deliveries/s against 240 000-390 000),
// even with a long probe every 2 s and a lower bar to keep pausing.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <optional>

namespace sg::net {

class FlushPacer {
 public:
  using Clock = std::chrono::steady_clock;
  // Below this a flush is cheap enough to follow the next batch at once.
  static constexpr Clock::duration kQuickFlush = std::chrono::milliseconds(1);
  static constexpr Clock::duration kMaxPause = std::chrono::milliseconds(20);
  static constexpr Clock::duration kProbeEvery = std::chrono::milliseconds(500);

  // A frame was queued for the next flush.
  void noteQueued() { ++frames_queued_; }

  // A flush is wanted at `now` (the first since the last one began): when it may begin, or
  // nullopt for at once.
  std::optional<Clock::time_point> holdUntil(Clock::time_point now) {
    deferred_ = now < next_flush_at_;
    if (!deferred_) return std::nullopt;
    return next_flush_at_;
  }

  // A flush of `sockets` begins: did what was queued since the last one began come
  // faster than one frame per socket per flush?
  void flushBegins(std::size_t sockets) {
    if (frames_queued_ >= 2 * sockets) pausing_ = true;
    else if (deferred_) pausing_ = false;  // the pause gathered nothing
    frames_queued_ = 0;
  }

  // The flush that began at `started` ended at `ended`.
  void flushEnded(Clock::time_point started, Clock::time_point ended) {
    auto took = ended - started;
    bool probe = !pausing_ && ended - last_probe_ >= kProbeEvery;
    if (took < kQuickFlush || !(pausing_ || probe)) {
      next_flush_at_ = {};
      return;
    }
    next_flush_at_ = ended + std::min(took, kMaxPause);
    if (probe) last_probe_ = ended;
  }

  // Gathering: each long flush is followed by a pause.
  bool pausing() const { return pausing_; }

 private:
  Clock::time_point next_flush_at_{};
  Clock::time_point last_probe_{};
  std::size_t frames_queued_ = 0;  // since the last flush began
  bool deferred_ = false;          // the flush waiting now was held back by a pause
  bool pausing_ = false;
};

}  // namespace sg::net
