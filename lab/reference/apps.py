# Real FastAPI apps that answer exactly as `lab serve` does, one app per way a route can wait:
# blocking, awaiting, threaded, run_in_threadpool (002 Part 9's experiment log, 001 §1-§3).
import asyncio
import os
import re
import threading
import time
from datetime import timezone

import anyio.to_thread
from fastapi import BackgroundTasks, Depends, FastAPI, Header, Request, concurrency
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from limiters import anyio_limiter, process_work
from loop_watch import LoopWatch
from run_key import REFUSED, may_control
from stamps import Served
from websocket_ticks import add_websocket_route  # GET /ws: the websockets lesson
from work import burn_cpu, computing_at_once  # (work.py also holds the jobs RQ runs for /jobs)

MAX_MS = 60_000

if os.environ.get("LAB_DIE_WITH_PARENT"):
    # Set by serve.py to its own pid: each `--workers` process then dies with uvicorn, as uvicorn
    # dies with serve.py. A worker whose uvicorn died before this line ran has been handed to
    # another parent already; it sees that its parent's parent is not serve.py, and leaves.
    import lifeline

    lifeline.die_with_grandparent(int(os.environ["LAB_DIE_WITH_PARENT"]))


# ---- what every variant shares -----------------------------------------------------------

def timed(work, *args):
    """Run blocking `work(*args)` between stamps, on whichever thread calls this."""
    with Served() as served:
        served.result = work(*args)
    return served


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


# The thread pool's limit for `def` routes and run_in_threadpool: AnyIO's default is 40, and
# this is the documented way to change it (on the running loop, before the first request).
THREADS = int(os.environ.get("LAB_THREADS", "40"))


async def size_thread_pool():
    anyio.to_thread.current_default_thread_limiter().total_tokens = THREADS


# The figures a process keeps of itself are the server's only where one process serves
# (LAB_WORKERS=1, set by serve.py): with several, GET /stats reaches one of them.
ONE_PROCESS = os.environ.get("LAB_WORKERS") == "1"

# The loop's account, kept as the probe keeps a student's app's (loop_watch.py), so the twin's
# "loop blocked" is measured on real FastAPI. Only in one process on the stdlib's loop (uvloop
# cannot be watched); elsewhere /stats says nothing of the loop, and the lab says why.
WATCH = []


def loop_figures(reset):
    loop = asyncio.get_running_loop()
    if not ONE_PROCESS or getattr(loop, "_selector", None) is None:
        return {}
    if not WATCH or WATCH[0].loop is not loop:
        WATCH[:] = [LoopWatch(loop)]  # (the runner resets /stats before each batch: watched from then on)
    blocked, lag = WATCH[0].figures(reset)
    return {"max_loop_blocked_ms": blocked, "max_loop_lag_ms": lag}


def limits(app):
    """What bounds the twin's requests, for a lesson's knee and its cause (lab/run/lesson_ramp.hpp),
    read from the running objects, never from the settings the lab passed: AnyIO's thread tokens
    (limiters.py's reading), and the connections of the database pool /db queries through, the
    SQLAlchemy QueuePool its app named (app.state.db_pool: pool_size, and max_overflow more) or the
    asyncpg pool; -1 where the twin has none."""
    limiter, pool = anyio_limiter(), getattr(app.state, "db_pool", None)
    said = {"tokens_total": int(limiter.total_tokens) if limiter else -1, "pool_capacity": -1, "pool_kept": -1}
    if pool is not None:
        said["pool_capacity"], said["pool_kept"] = pool.size() + max(0, pool._max_overflow), pool.size()
    elif asyncpg_pool is not None:
        said["pool_capacity"] = said["pool_kept"] = asyncpg_pool.get_max_size()
    return said


def make_app(variant, delay, cpu, db=None, fetch=None, cache=None):
    app = FastAPI(title=f"Concurrency Lab reference: {variant}")
    app.on_event("startup")(size_thread_pool)
    if cache is not None:
        app.api_route("/cache", methods=["GET", "POST"])(cache)
    if fetch is not None:
        app.api_route("/fetch", methods=["GET", "POST"])(fetch)
    if db is not None:
        app.api_route("/db", methods=["GET", "POST"])(db)
        app.on_event("startup")(open_asyncpg_pool if db is awaiting_db else no_op)
    app.add_exception_handler(HTTPException, lab_error)

    @app.get("/")
    async def root():
        return {"message": f"Hello from FastAPI ({variant})", "worker_id": os.getpid()}

    @app.get("/health")
    async def health():
        return {"status": "ok"}

    @app.get("/stats")
    async def stats(request: Request, reset: str = "", x_lab_key: str = Header("")):  # what the lab's runner asks of every server
        if not may_control(x_lab_key.encode()):  # (run_key.py: the run's figures are its own)
            return JSONResponse(REFUSED, status_code=403)
        with TASKS_LOCK:
            return {"worker_id": os.getpid(), **TASKS, **loop_figures(reset == "1"), "limits": limits(request.app),
                    **process_work(reset == "1"),
                    **(computing_at_once(reset == "1") if ONE_PROCESS else {})}  # (work.py's ledger)

    app.api_route("/delay", methods=["GET", "POST"])(delay)
    app.api_route("/cpu", methods=["GET", "POST"])(cpu)
    add_background_routes(app, variant)
    if variant in ("blocking", "awaiting"):  # (an `async def` WebSocket handler waits one way or the other)
        add_websocket_route(app, blocking=variant == "blocking")
    app.post("/jobs", status_code=202)(submit_job)
    app.get("/jobs/{job_id}")(job_state)
    return app


# ---- BackgroundTasks: answered 202 first, the task runs after the response ----------------

TASKS = {"background_running": 0, "background_done": 0}  # this process's, for /stats
TASKS_LOCK = threading.Lock()


def counted(task):
    """`task` (async or not), counted as running from its 202 until it returns."""
    def finished():
        with TASKS_LOCK:
            TASKS["background_running"] -= 1
            TASKS["background_done"] += 1
    if asyncio.iscoroutinefunction(task):
        async def run(ms):
            try:
                await task(ms)
            finally:
                finished()
    else:
        def run(ms):
            try:
                task(ms)
            finally:
                finished()
    return run


def accepting(task, kind):
    """A POST route that hands `task` to FastAPI's BackgroundTasks and answers 202 at once.
    Starlette runs the task after the response, in this process: an `async def` task on the
    event loop, a `def` task on the thread pool."""
    async def start(background_tasks: BackgroundTasks, ms: int = Depends(milliseconds)):
        with TASKS_LOCK:
            TASKS["background_running"] += 1
        background_tasks.add_task(task, ms)
        return JSONResponse({"accepted": kind, "ms": ms, "worker_id": os.getpid()}, 202)
    return start


def add_background_routes(app, variant):
    if variant in ("threaded", "run_in_threadpool"):  # `def` tasks: the thread pool runs them
        def wait_task(ms):
            time.sleep(ms / 1000)

        def cpu_task(ms):
            burn_cpu(ms)
    elif variant == "awaiting":  # `async def` tasks that await: the loop stays free
        async def wait_task(ms):
            await asyncio.sleep(ms / 1000)

        async def cpu_task(ms):
            burn_cpu(ms)  # computing cannot be awaited: the loop computes
    else:  # `async def` tasks that block: the loop waits with them
        async def wait_task(ms):
            time.sleep(ms / 1000)

        async def cpu_task(ms):
            burn_cpu(ms)
    app.post("/background/delay", status_code=202)(accepting(counted(wait_task), "wait"))
    app.post("/background/cpu", status_code=202)(accepting(counted(cpu_task), "compute"))


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


# ---- /db: PostgreSQL sleeps d, through psycopg2 (blocking) or asyncpg (awaiting) ------------
# The query reads PostgreSQL's own clock before and after, as `lab serve`'s does
# (lab/drivers/postgres.cpp), so the lab can count how many queries the database ran at once.
DATABASE_URL = os.environ.get("LAB_DATABASE_URL", "")
DB_POOL = int(os.environ.get("LAB_DB_POOL", "10"))
DB_POOL_KEPT = int(os.environ.get("LAB_DB_POOL_KEPT", str(DB_POOL)))  # SQLAlchemy's pool_size (db_pool_kept)
SLEEP_SQL = ("SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint, pg_sleep({d}::float8 / 1000000), "
             "(extract(epoch FROM clock_timestamp()) * 1000000)::bigint, pg_backend_pid()")


def queried(served, ms, row):
    offset = time.time_ns() // 1000 - time.monotonic_ns() // 1000  # PostgreSQL's wall clock -> monotonic
    return served.reply(f"PostgreSQL slept {ms} ms", db_start_us=row[0] - offset,
                        db_end_us=row[2] - offset, db_backend_pid=row[3])


def no_database():
    raise HTTPException(503, "no database: start serve.py with --database-url URL")


class Psycopg2Pool:
    """psycopg2 connections, at most DB_POOL; a thread that finds none free waits for one."""

    def __init__(self):
        self.free, self.lock = [], threading.Lock()
        self.slots = threading.BoundedSemaphore(DB_POOL)

    def query(self, ms):
        import psycopg2
        self.slots.acquire()
        try:
            with self.lock:
                conn = self.free.pop() if self.free else None
            conn = conn or psycopg2.connect(DATABASE_URL)
            with conn.cursor() as cur:
                cur.execute(SLEEP_SQL.format(d="%s"), (ms * 1000,))  # <-- this thread waits for PostgreSQL
                row = cur.fetchone()
            conn.rollback()
            with self.lock:
                self.free.append(conn)
            return row
        finally:
            self.slots.release()


psycopg2_pool = Psycopg2Pool()
asyncpg_pool = None


async def no_op():
    pass


POOL_OPENING = asyncio.Lock()  # (so that concurrent first queries open one pool, not several)


async def open_asyncpg_pool():
    """At start-up; or at the first query on a server that runs no start-up (daphne has no lifespan)."""
    global asyncpg_pool
    async with POOL_OPENING:
        if DATABASE_URL and asyncpg_pool is None:
            import asyncpg
            asyncpg_pool = await asyncpg.create_pool(DATABASE_URL, min_size=DB_POOL, max_size=DB_POOL)


# `async def` + psycopg2: the driver waits on the loop's only thread: N·d.
async def blocking_db(ms: int = Depends(milliseconds)):
    if not DATABASE_URL:
        no_database()
    with Served() as served:
        row = psycopg2_pool.query(ms)  # <-- blocks the loop
    return queried(served, ms, row)


# `async def` + asyncpg: the request awaits the answer, the loop serves others: d.
async def awaiting_db(ms: int = Depends(milliseconds)):
    if asyncpg_pool is None:
        await open_asyncpg_pool()
    if asyncpg_pool is None:
        no_database()
    with Served() as served:
        async with asyncpg_pool.acquire() as conn:
            row = await conn.fetchrow(SLEEP_SQL.format(d="$1"), float(ms * 1000))  # <-- suspends
    return queried(served, ms, row)


# `def` + psycopg2: FastAPI runs it on a pool thread; only that thread waits.
def threaded_db(ms: int = Depends(milliseconds)):
    if not DATABASE_URL:
        no_database()
    with Served() as served:
        row = psycopg2_pool.query(ms)  # <-- blocks one pool thread
    return queried(served, ms, row)


# ---- /fetch: a downstream service answers after d, through requests (blocking) or httpx ------
DOWNSTREAM_URL = os.environ.get("LAB_DOWNSTREAM_URL", "")


def fetched(served, ms):
    return served.reply(f"Downstream answered after {ms} ms")


def downstream(ms):
    if not DOWNSTREAM_URL:
        raise HTTPException(503, "no downstream: start serve.py with --downstream-url http://HOST:PORT")
    return f"{DOWNSTREAM_URL}/delay?ms={ms}"


# `async def` + requests: the call waits on the loop's only thread: N·d.
async def blocking_fetch(ms: int = Depends(milliseconds)):
    import requests
    url = downstream(ms)
    with Served() as served:
        requests.get(url, timeout=90).raise_for_status()  # <-- blocks the loop
    return fetched(served, ms)


httpx_client = None  # one client for the process, as httpx advises (each new one builds an SSL context)


# `async def` + httpx.AsyncClient: the request awaits the answer, the loop serves others: d.
async def awaiting_fetch(ms: int = Depends(milliseconds)):
    global httpx_client
    import httpx
    url = downstream(ms)
    httpx_client = httpx_client or httpx.AsyncClient(timeout=90, limits=httpx.Limits(max_connections=None))
    with Served() as served:
        (await httpx_client.get(url)).raise_for_status()  # <-- suspends
    return fetched(served, ms)


# `def` + requests: on a pool thread; only that thread waits.
def threaded_fetch(ms: int = Depends(milliseconds)):
    import requests
    url = downstream(ms)
    with Served() as served:
        requests.get(url, timeout=90).raise_for_status()  # <-- blocks one pool thread
    return fetched(served, ms)


# ---- /cache: one Redis round trip, a GET (ms=0) or a BLPOP that waits ms ---------------------
REDIS_URL = os.environ.get("LAB_REDIS_URL", "")


async def cache_ms(ms: str = "0"):
    return await milliseconds(ms)  # as /delay's, but a cache call is a plain GET unless asked


def need_redis():
    if not REDIS_URL:
        raise HTTPException(503, "no Redis: start serve.py with --redis-url unix:///PATH")


def redis_call(client, ms):
    return client.blpop("lab:never", ms / 1000) if ms else client.get("lab:greeting")


# `async def` + redis-py: the round trip waits on the loop's thread.
async def blocking_cache(ms: int = Depends(cache_ms)):
    import redis
    need_redis()
    with Served() as served:
        redis_call(redis.Redis.from_url(REDIS_URL), ms)  # <-- blocks the loop
    return served.reply("Redis answered")


# `async def` + redis.asyncio: the request awaits the reply, the loop serves others.
async def awaiting_cache(ms: int = Depends(cache_ms)):
    import redis.asyncio
    need_redis()
    with Served() as served:
        client = redis.asyncio.Redis.from_url(REDIS_URL)
        await redis_call(client, ms)  # <-- suspends
        await client.close()
    return served.reply("Redis answered")


# ---- /jobs: a job queue on Redis with RQ; `rq worker` processes do the work ----------------
# RQ is synchronous (redis-py underneath), so these routes are `def`: FastAPI runs them on its
# thread pool. Job ids are whole numbers, as `lab serve`'s are, so one harness polls both.

def rq_queue():
    need_redis()
    import redis
    import rq
    connection = redis.Redis.from_url(REDIS_URL)
    return connection, rq.Queue("lab", connection=connection)


def job_ms(name, text):
    if text is None or not re.fullmatch(r"[0-9]+", text) or int(text) > MAX_MS:
        raise HTTPException(400, f"{name} must be a whole number of milliseconds from 0 to {MAX_MS}, got '{text}'")
    return int(text)


def submit_job(cpu_ms: str | None = None, wait_ms: str | None = None):
    import work
    if (cpu_ms is None) == (wait_ms is None):
        raise HTTPException(400, "POST /jobs takes one of cpu_ms=N (compute N ms) or wait_ms=N (wait N ms)")
    ms = job_ms("cpu_ms", cpu_ms) if cpu_ms is not None else job_ms("wait_ms", wait_ms)
    connection, queue = rq_queue()
    job_id = str(connection.incr("lab:rq:next"))
    queue.enqueue(work.compute_job if cpu_ms is not None else work.wait_job, ms, job_id=job_id)
    return JSONResponse({"job": int(job_id), "state": "queued", "poll": f"/jobs/{job_id}",
                         "work": "cpu" if cpu_ms is not None else "wait", "ms": ms, "worker_id": os.getpid()}, 202)


def unix_us(moment):
    """RQ's stamps are naive UTC datetimes; the lab's harness reads Unix microseconds."""
    return None if moment is None else int(moment.replace(tzinfo=timezone.utc).timestamp() * 1_000_000)


def job_state(job_id: int):
    from rq.exceptions import NoSuchJobError
    from rq.job import Job
    connection, queue = rq_queue()
    try:
        job = Job.fetch(str(job_id), connection=connection)
    except NoSuchJobError:
        raise HTTPException(404, f"no job {job_id}")
    status = str(getattr(job.get_status(), "value", job.get_status()))
    state = {"finished": "finished", "started": "started", "failed": "failed",
             "stopped": "failed", "canceled": "failed"}.get(status, "queued")
    answer = {"job": job_id, "state": state, "queue_depth": len(queue)}
    for key, moment in (("queued_at_us", job.enqueued_at), ("started_at_us", job.started_at),
                        ("finished_at_us", job.ended_at if state in ("finished", "failed") else None)):
        if unix_us(moment) is not None:
            answer[key] = unix_us(moment)
    if state == "finished" and isinstance(job.result, dict):
        answer["result"] = job.result
        answer["worker_pid"] = job.result.get("worker_pid")
    return answer


blocking = make_app("blocking", blocking_delay, cpu_on_loop, blocking_db, blocking_fetch, blocking_cache)
awaiting = make_app("awaiting", awaiting_delay, cpu_on_loop, awaiting_db, awaiting_fetch, awaiting_cache)
threaded = make_app("threaded", threaded_delay, cpu_def_route, threaded_db, threaded_fetch)
run_in_threadpool = make_app("run_in_threadpool", run_in_threadpool_delay, cpu_by_hand)
# asyncpg awaits, redis-py blocks: only the Redis driver differs from `awaiting` (db-and-cache's third row).
awaiting_blocking_cache = make_app("awaiting_blocking_cache", awaiting_delay, cpu_on_loop, awaiting_db, awaiting_fetch,
                                   blocking_cache)
