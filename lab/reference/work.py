"""The work the reference apps do, and the jobs an RQ worker runs for their /jobs route: the same
computing and waiting as /cpu and /delay, importable both by the apps and by `rq worker`."""
import os
import time

import lifeline

# How many threads computed at once, counted as `lab serve` counts it (lab/compute/cpu_ledger.hpp):
# not how many were inside burn_cpu, but the CPU time spent per 10 ms slice of the clock. Each
# stretch of burn_cpu spreads the CPU it used over the wall-clock time it took; under the GIL the
# threads take turns, so no slice collects more than one core's time. A ring of ten seconds.
# No lock: a thread waiting for one would hand the GIL on early and change the very turns the
# lessons measure; a race between two threads loses CPU time, so the count errs low, never high.
SLICE_S, SLICES = 0.010, 1000
LEDGER = {"slices": [[-1, 0.0] for _ in range(SLICES)], "most": 0.0}


def credit(start, end, cpu):
    """`cpu` seconds of one thread's, used from `start` to `end` (monotonic), spread by overlap."""
    start = max(start, end - (SLICES - 1) * SLICE_S)  # (a stretch longer than the ring: its end)
    cpu = min(cpu, end - start)  # (one thread cannot use more CPU than the time passed)
    for k in range(int(start / SLICE_S), int(end / SLICE_S) + 1):
        slot = LEDGER["slices"][k % SLICES]
        if slot[0] != k:
            slot[:] = [k, 0.0]
        overlap = min(end, (k + 1) * SLICE_S) - max(start, k * SLICE_S)
        slot[1] += cpu * overlap / max(end - start, 1e-9)
        LEDGER["most"] = max(LEDGER["most"], slot[1] / SLICE_S)


def computing_at_once(reset):
    """GET /stats' figure: the most threads that computed at once since the last reset (rounded)."""
    most = int(LEDGER["most"] + 0.5)
    if reset:
        LEDGER["most"] = 0.0
    return {"max_computing_at_once": most}


def burn_cpu(ms):
    """Pure-Python arithmetic until this thread's CPU clock has moved on `ms`; returns ms used.
    Each stretch of 500 steps is credited to the ledger above."""
    begin = cpu_at = time.thread_time()
    at, x = time.monotonic(), 1
    while (cpu := time.thread_time()) - begin < ms / 1000:
        credit(at, now := time.monotonic(), cpu - cpu_at)
        at, cpu_at = now, cpu
        for _ in range(500):
            x = x * 48271 % 2147483647
    credit(at, time.monotonic(), cpu - cpu_at)
    return (cpu - begin) * 1000


# RQ runs each job in a "work horse": a process it forks for the job and moves to a session of
# its own, out of reach of the lab's process group. Each job therefore first ties the horse's
# life to its worker's, so that nothing outlives a worker that is stopped or killed.
def compute_job(ms):
    lifeline.die_with_parent()
    return {"cpu_ms_used": burn_cpu(ms), "worker_pid": os.getppid()}  # the horse's parent: the RQ worker


def wait_job(ms):
    lifeline.die_with_parent()
    time.sleep(ms / 1000)
    return {"waited_ms": ms, "worker_pid": os.getppid()}
