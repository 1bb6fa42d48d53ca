#pragma once
// A pure computation that costs a chosen amount of CPU time, the lab's stand-in for a
// synchronous library call such as the documents' 200 ms QR-code generator. It computes in
// chunks of about 200 µs (their size learned as it runs, against the thread's own CPU clock)
// until its thread has used N ms of CPU: alone on a core it takes N ms of wall time; sharing a
// core, or waiting for the GIL between chunks, it takes longer.
#include <cstdint>

#include "lab/clock.hpp"

namespace lab {

// Does `cpu` worth of work on this thread, holding the GIL (when it is on) and offering it at
// every check. Returns the CPU time this thread actually used, in microseconds.
std::int64_t do_cpu_work(Micros cpu);

}  // namespace lab
