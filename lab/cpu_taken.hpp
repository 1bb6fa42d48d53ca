#pragma once
// What CPU a batch got, and what the rest of the machine took meanwhile.
//
// A lesson that computes needs the cores its model counts on. A student's laptop with a browser
// open is never quiet: when another process takes part of a core, a computing row runs slower
// than its model for a reason the lesson does not speak of. So the lab counts, around each
// batch, the CPU time of the lab and everything it started (its servers, their workers) and the
// machine's, from Linux's own counters: /proc/stat for the machine (its idle and steal time),
// /proc/PID/stat for each process of the lab's tree. What the machine spent and the lab did not,
// plus the time a hypervisor gave to other guests (steal), is what others took.
#include <cstdint>

namespace lab {

// Counters at one moment, in clock ticks (USER_HZ); -1 where Linux would not say.
struct CpuSample {
    std::int64_t at_us = 0;  // monotonic
    // Every CPU's user, nice and system time (not idle, not steal)
    std::int64_t machine_ticks = -1;
    std::int64_t steal_ticks = -1;  // time a hypervisor ran someone else on this guest's CPUs
    std::int64_t own_ticks = -1;  // the lab's process and its descendants, those reaped included
};
CpuSample cpu_sample();

// One batch's CPU account, in seconds (summary.json keeps it: lab/results/summary_keys.hpp).
struct BatchCpu {
    double wall_s = 0;
    double own_s = -1;  // the lab and what it started: client, servers, workers
    double machine_s = -1;  // every process's on the machine
    double steal_s = -1;  // taken by the hypervisor for other guests
    bool known() const { return wall_s > 0 && own_s >= 0 && machine_s >= 0 && steal_s >= 0; }
    // How many cores others used on average during the batch: 0.4 is four tenths of one core.
    double others_cores() const;
    bool operator==(const BatchCpu&) const = default;
};
BatchCpu cpu_between(const CpuSample& before, const CpuSample& after);

}  // namespace lab
