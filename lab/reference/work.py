"""The work the reference apps do, and the jobs an RQ worker runs for their /jobs route: the same
computing and waiting as /cpu and /delay, importable both by the apps and by `rq worker`."""
import os
import time

import lifeline


def burn_cpu(ms):
    """Pure-Python arithmetic until this thread's CPU clock has moved on `ms`; returns ms used."""
    begin, x = time.thread_time(), 1
    while (used := time.thread_time() - begin) < ms / 1000:
        for _ in range(500):
            x = x * 48271 % 2147483647
    return used * 1000


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
