"""What bounds how many of an app's requests run at once, counted while they run: the probe's
GET /__lab/limiters[?reset=1], which `lab doctor --ramp` reads after each step to say why a route
bends where it does, from figures, never from a guess:
  - AnyIO's default thread limiter: the tokens a `def` route, a `def` dependency and
    run_in_threadpool share (40 unless the app set it), how many were borrowed and how many
    waited for one;
  - asyncio's default executor (asyncio.to_thread, run_in_executor(None, ...)): a second pool,
    which the tokens do not govern: its workers, how many were busy, its queue (its calls counted
    as they are made, once the probe has seen it);
  - a SQLAlchemy QueuePool the app made: its size and overflow, how many were checked out, and
    how many checkouts found them all out and waited;
  - the process's own work: its CPU over the time since the last reset, in cores (one
    interpreter runs its Python on one core at a time), and the connections its pools opened
    (past pool_size, SQLAlchemy opens one for a checkout and closes it as it comes back).
Each is sampled as a request starts and as it ends (on the loop, a few reads), a pool at each
checkout too, and its most since the last reset kept; an app without these parts has nothing to sample, and runs as it would without the probe.
"""
import asyncio
import gc
import sys
import time
import weakref

from loop_ledger import CURRENT, TOKEN_WAITS


def anyio_limiter():
    """AnyIO's default thread limiter of the running loop, if AnyIO is loaded (Starlette loads it)."""
    to_thread = sys.modules.get("anyio.to_thread")
    try:
        return to_thread.current_default_thread_limiter() if to_thread else None
    except Exception:  # (no AnyIO event loop: nothing of AnyIO's runs here)
        return None


def default_executor():
    """asyncio's default executor, once something made it (it is made at its first call)."""
    try:
        executor = getattr(asyncio.get_running_loop(), "_default_executor", None)
        return executor if hasattr(executor, "_max_workers") else None
    except RuntimeError:
        return None


POOL_WAITS = [0]  # checkouts that found every connection of their pool out: /__lab/limiters


def time_connection_waits():
    """Each request's wait for a connection of a SQLAlchemy QueuePool whose every connection (size
    and overflow) was out when it asked, added to its record on whatever thread it checks out: the
    answer's x-lab-connection-wait-us; and how many such checkouts waited (POOL_WAITS). A checkout
    that found one free, or room to open one, did not wait for the pool. Its class's checkout
    wrapped once, when SQLAlchemy is loaded."""
    pool_module = sys.modules.get("sqlalchemy.pool")
    if pool_module is None or getattr(pool_module.QueuePool, "_lab_timed", False):
        return
    original, clock = pool_module.QueuePool._do_get, time.perf_counter_ns

    def timed_get(pool):
        asked, full = clock(), pool.checkedout() >= pool.size() + max(0, pool._max_overflow)
        try:
            return original(pool)
        finally:
            record = CURRENT.get()  # (AnyIO's threads run in a copy of the request's context)
            if full:
                POOL_WAITS[0] += 1
                if record is not None:
                    record.db_wait_ns += clock() - asked

    pool_module.QueuePool._do_get, pool_module.QueuePool._lab_timed = timed_get, True


SINCE_RESET = [time.monotonic(), time.process_time()]  # when, and the process's CPU then
OPENED = [0]  # connections the pools opened since the last reset (their "connect" event)


def count_connections(pool):
    """Each connection `pool` opens counted in OPENED (on the thread that opens it)."""
    sys.modules["sqlalchemy.event"].listen(pool, "connect", lambda *_: OPENED.__setitem__(0, OPENED[0] + 1))


def process_work(reset):
    """The process's CPU since the last reset over the time since then, in cores (every thread's,
    as the kernel counts it), and the connections its pools opened meanwhile; both read by the
    lessons' ramps (the twins' GET /stats) and the doctor's (GET /__lab/limiters)."""
    now, cpu = time.monotonic(), time.process_time()
    said = {"cpu_cores": round((cpu - SINCE_RESET[1]) / max(now - SINCE_RESET[0], 1e-6), 3),
            "connections_opened": OPENED[0]}
    if reset:
        SINCE_RESET[:], OPENED[0] = [now, cpu], 0
    return said


class Limiters:
    def __init__(self):
        self.most = {}  # name -> the most seen since the last reset
        self.pools = weakref.WeakSet()  # the app's SQLAlchemy QueuePools, found when first asked
        self.executor, self.calls = None, set()  # the default executor counted, its calls not done

    def keep(self, name, value):
        if value > self.most.get(name, -1):
            self.most[name] = value

    def sample(self):
        """As a request starts: each limiter's figures now, their most kept. Never fails a request."""
        try:
            time_connection_waits()
            limiter = anyio_limiter()
            if limiter is not None:
                self.keep("tokens_borrowed", limiter.borrowed_tokens)
                self.keep("tokens_waiting", limiter.statistics().tasks_waiting)
            executor = default_executor()
            if executor is not None and executor is not self.executor:
                self.count_calls(executor)
            for pool in self.pools:
                self.keep("pool_checked_out", pool.checkedout())
        except Exception:
            pass

    def count_calls(self, executor):
        """The executor's submit wrapped on this one instance: each call counted while it is not
        done, as busy (up to its workers) or queued (past them). (Its own figures do not say: a
        worker going idle and a new call taking it are not counted apart.)"""
        submit, workers, calls = executor.submit, executor._max_workers, self.calls

        def counted(fn, /, *args, **kwargs):
            future = submit(fn, *args, **kwargs)
            calls.add(future)  # (a set's add and discard are each one step under the GIL)
            self.keep("executor_busy", min(len(calls), workers))
            self.keep("executor_queued", max(0, len(calls) - workers))
            future.add_done_callback(calls.discard)
            return future

        executor.submit, self.executor = counted, executor

    def find_pools(self):
        """The app's QueuePools, looked for among Python's objects while none is known (asked
        between the doctor's steps, never per request); none unless the app loaded SQLAlchemy."""
        pool_module = sys.modules.get("sqlalchemy.pool")
        if self.pools or pool_module is None:
            return
        for thing in gc.get_objects():
            if isinstance(thing, pool_module.QueuePool):
                self.pools.add(thing)
                # Each checkout counted as it happens (on the thread that checks out): a burst's
                # connections are all out between two requests' starts.
                try:
                    sys.modules["sqlalchemy.event"].listen(thing, "checkout", self.checked_out(thing))
                    count_connections(thing)
                except Exception:
                    pass  # (its checkouts are still sampled as requests start and end)

    def checked_out(self, pool):
        pool = weakref.ref(pool)
        return lambda *_: self.keep("pool_checked_out", pool().checkedout()) if pool() else None

    def report(self, reset):
        """The limits and the most each reached since the last reset (-1: never seen), and the
        requests' waits for a thread token (loop_ledger's count)."""
        self.find_pools()
        limiter, executor = anyio_limiter(), default_executor()
        pools = list(self.pools)
        body = {"tokens_total": int(limiter.total_tokens) if limiter else -1,
                "executor_workers": executor._max_workers if executor else -1,
                "pool_capacity": sum(p.size() + max(0, p._max_overflow) for p in pools) if pools else -1,
                "pool_kept": sum(p.size() for p in pools) if pools else -1, **process_work(reset),
                "token_waits": TOKEN_WAITS[0], "token_wait_ms": round(TOKEN_WAITS[1] / 1e6, 3),
                "pool_waits": POOL_WAITS[0]}
        for name in ("tokens_borrowed", "tokens_waiting", "executor_busy", "executor_queued", "pool_checked_out"):
            body[name] = self.most.get(name, -1)
        if reset:
            self.most.clear()
            TOKEN_WAITS[0] = TOKEN_WAITS[1] = POOL_WAITS[0] = 0
        return body
