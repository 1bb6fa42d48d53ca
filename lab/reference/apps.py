# Real FastAPI apps that answer exactly as `lab serve` does, one app per way a route can wait:
# blocking, awaiting, threaded, run_in_threadpool (002 Part 9's experiment log, 001 §1-§3).
import asyncio
import os
import re
import threading
import time
from datetime import datetime

from fastapi import Depends, FastAPI, concurrency
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

MAX_MS = 60_000

if os.environ.get("LAB_DIE_WITH_PARENT"):
    # Set by serve.py to its own pid: each `--workers` process then dies with uvicorn, as uvicorn
    # dies with serve.py. A worker whose uvicorn died before this line ran has been handed to
    # another parent already; it sees that its parent's parent is not serve.py, and leaves.
    import lifeline

    lifeline.die_with_grandparent(int(os.environ["LAB_DIE_WITH_PARENT"]))


# ---- what every variant shares -----------------------------------------------------------

def clock_text():
    return datetime.now().strftime("%Y-%m-%d %H:%M:%S.%f")


class Served:
    """Stamps around a request's work, taken on the thread that does the work (as `lab serve`
    does). server_*_us are CLOCK_MONOTONIC microseconds, the clock the lab's harness reads."""

    def __enter__(self):
        self.start_us, self.start_time = time.monotonic_ns() // 1000, clock_text()
        return self

    def __exit__(self, *exc):
        self.end_us, self.end_time = time.monotonic_ns() // 1000, clock_text()
        self.thread_id = threading.get_native_id()

    def reply(self, message, **extra):
        return {"message": message, **extra,
                "start_time": self.start_time, "end_time": self.end_time,
                "worker_id": os.getpid(), "thread_id": self.thread_id,
                "server_start_us": self.start_us, "server_end_us": self.end_us}


def timed(work, *args):
    """Run blocking `work(*args)` between stamps, on whichever thread calls this."""
    with Served() as served:
        served.result = work(*args)
    return served


def burn_cpu(ms):
    """Pure-Python arithmetic until this thread's CPU clock has moved on `ms`; returns ms used."""
    begin, x = time.thread_time(), 1
    while (used := time.thread_time() - begin) < ms / 1000:
        for _ in range(500):
            x = x * 48271 % 2147483647
    return used * 1000


def delayed(served, ms):
    return served.reply(f"Response after {ms} ms delay")


def computed(served, ms):
    return served.reply(f"Computed for {ms} ms of CPU",
                        cpu_ms_requested=float(ms), cpu_ms_used=served.result)


async def milliseconds(ms: str = "100"):
    """The `ms` query parameter, checked as `lab serve` checks it: a 400, not FastAPI's 422.
    An `async def` dependency, so it runs on the loop and adds no trip to the thread pool."""
    if not re.fullmatch(r"-?[0-9]+", ms):
        raise HTTPException(400, f"ms must be a whole number of milliseconds, got '{ms}'")
    if not 0 <= int(ms) <= MAX_MS:
        raise HTTPException(400, f"ms must be between 0 and {MAX_MS}, got {int(ms)}")
    return int(ms)


async def lab_error(request, exc):
    """Errors as `lab serve` writes them: {"error": reason, "status": code}."""
    return JSONResponse({"error": exc.detail, "status": exc.status_code}, exc.status_code,
                        headers=getattr(exc, "headers", None))


def make_app(variant, delay, cpu):
    app = FastAPI(title=f"Concurrency Lab reference: {variant}")
    app.add_exception_handler(HTTPException, lab_error)

    @app.get("/")
    async def root():
        return {"message": f"Hello from FastAPI ({variant})", "worker_id": os.getpid()}

    @app.get("/health")
    async def health():
        return {"status": "ok"}

    app.api_route("/delay", methods=["GET", "POST"])(delay)
    app.api_route("/cpu", methods=["GET", "POST"])(cpu)
    return app


# ---- CPU work: on the event loop, or on a pool thread -------------------------------------

async def cpu_on_loop(ms: int = Depends(milliseconds)):
    return computed(timed(burn_cpu, ms), ms)  # the loop computes: nothing else runs meanwhile


def cpu_def_route(ms: int = Depends(milliseconds)):
    return computed(timed(burn_cpu, ms), ms)  # a `def` route: FastAPI runs it on a pool thread


async def cpu_by_hand(ms: int = Depends(milliseconds)):
    return computed(await concurrency.run_in_threadpool(timed, burn_cpu, ms), ms)


# ---- the four ways to wait d ms: the one line that differs is marked ----------------------

# `async def` + time.sleep: the sleep holds the event loop, so requests take turns: N·d.
async def blocking_delay(ms: int = Depends(milliseconds)):
    with Served() as served:
        time.sleep(ms / 1000)  # <-- blocks the loop's only thread
    return delayed(served, ms)


# `async def` + await asyncio.sleep: the route hands the loop back while it waits: d.
async def awaiting_delay(ms: int = Depends(milliseconds)):
    with Served() as served:
        await asyncio.sleep(ms / 1000)  # <-- suspends this request only
    return delayed(served, ms)


# plain `def` + time.sleep: FastAPI calls it on its thread pool (40 threads): ceil(N/40)·d.
def threaded_delay(ms: int = Depends(milliseconds)):
    with Served() as served:
        time.sleep(ms / 1000)  # <-- blocks one pool thread, not the loop
    return delayed(served, ms)


# `async def` + await run_in_threadpool(time.sleep, s): the same pool, asked by hand.
# (`timed` wraps the call so the stamps are taken on the pool thread that sleeps; the module
# name `concurrency.` is spelled out because the app below is itself called run_in_threadpool.)
async def run_in_threadpool_delay(ms: int = Depends(milliseconds)):
    served = await concurrency.run_in_threadpool(timed, time.sleep, ms / 1000)  # <-- loop free
    return delayed(served, ms)


blocking = make_app("blocking", blocking_delay, cpu_on_loop)
awaiting = make_app("awaiting", awaiting_delay, cpu_on_loop)
threaded = make_app("threaded", threaded_delay, cpu_def_route)
run_in_threadpool = make_app("run_in_threadpool", run_in_threadpool_delay, cpu_by_hand)
