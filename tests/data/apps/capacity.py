# Routes that bend at known places, for `lab doctor --ramp` (tests/doctor_test.cpp) and the probe's
# /__lab/limiters (tests/probe_attribution_test.py): each waits `ms`, and what bounds how many wait
# at once is, route by route, AnyIO's thread tokens, 20 as this app sets them (a `def` route, or an
# `async def` route whose `def` dependency waits), asyncio's default executor (min(32, cores + 4)
# workers), a SQLAlchemy QueuePool of 5 + 10 as it comes (SQLite: no server to start), the GIL (a
# `def` route that computes), the loop itself (while it waits, or after its answer: a background
# task), a lock no counter sees (unexplained), or nothing.
import asyncio
import threading
import time

import anyio.to_thread
from fastapi import BackgroundTasks, Depends, FastAPI
from sqlalchemy import create_engine, text
from sqlalchemy.pool import QueuePool

app = FastAPI()


@app.on_event("startup")
async def fewer_thread_tokens():
    # AnyIO's 40 would bend these routes where, on two cores, the loop's own turns (the probe's
    # with the app's) lift the latency 15 % too, near 40 in flight; at 20 the tokens alone bend them.
    anyio.to_thread.current_default_thread_limiter().total_tokens = 20
# SQLite in memory: the routes ask only `SELECT 1` (each connection its own database), so there is
# no file to make, nor one to leave behind
engine = create_engine("sqlite://", poolclass=QueuePool, pool_size=5, max_overflow=10,
                       pool_timeout=30, connect_args={"check_same_thread": False})


@app.get("/in_def")
def in_def(ms: int = 100):
    time.sleep(ms / 1000)  # on one of AnyIO's 20 thread tokens
    return "done"


def waited(ms: int = 100):
    time.sleep(ms / 1000)  # a `def` dependency: FastAPI runs it on one of AnyIO's tokens too
    return ms


@app.get("/in_dependency")
async def in_dependency(ms: int = Depends(waited)):
    return "done"


@app.get("/to_thread")
async def to_thread(ms: int = 100):
    await asyncio.to_thread(time.sleep, ms / 1000)  # on asyncio's default executor
    return "done"


@app.get("/pooled")
def pooled(ms: int = 100):
    with engine.connect() as connection:  # one of the pool's 15 connections, held while it waits
        connection.execute(text("SELECT 1"))
        time.sleep(ms / 1000)
    return "done"


@app.get("/computes")
def computes(ms: int = 50):
    deadline = time.thread_time() + ms / 1000
    while time.thread_time() < deadline:  # on one of AnyIO's threads, holding the GIL
        pass
    return "done"


LEDGER = threading.Lock()


@app.get("/locked")
def locked(ms: int = 100):
    with LEDGER:  # one request at a time, on AnyIO's threads: a limit the probe cannot count
        time.sleep(ms / 1000)
    return "done"


@app.get("/blocks")
async def blocks(ms: int = 100):
    time.sleep(ms / 1000)  # holds the loop
    return "done"


async def hold_the_loop(ms):
    time.sleep(ms / 1000)  # an `async def` task: Starlette runs it on the loop, after the answer


@app.get("/after")
async def after(background: BackgroundTasks, ms: int = 100):
    background.add_task(hold_the_loop, ms)  # answered at once, the loop held right after
    return "done"


@app.get("/awaits")
async def awaits(ms: int = 100):
    await asyncio.sleep(ms / 1000)
    return "done"
