#pragma once
// What /proc says about a process: resident memory and CPU time. The bench reads the
// server's figures from outside, so they hold whatever the server allocates, including
// memory no metric of its own would count.
#include <optional>
#include <string>
#include <sys/types.h>

namespace sg::bench {

// VmRSS of `pid` in KiB; nullopt when the process or the field is gone.
std::optional<long> readRssKib(pid_t pid);
// VmHWM of `pid` in KiB: the peak resident size since the process started.
std::optional<long> readPeakRssKib(pid_t pid);

// User plus system CPU seconds `pid` has used so far (0 = this process).
std::optional<double> readCpuSeconds(pid_t pid);

}  // namespace sg::bench
