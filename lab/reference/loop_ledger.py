"""Where the loop's time went, request by request: the ledger behind the probe's /__lab/requests.

One event loop thread runs every request's code, so "the server was slow" means some request held
the loop while others waited. The ledger names which one, and where in the app's own files:
  - each HTTP request gets a Record in a ContextVar (CURRENT); the tasks it starts (a middleware's
    task group, asyncio.gather, create_task) copy the context, so they inherit it;
  - the stdlib loop runs every callback and every task step through Handle._run: timed here, each
    callback's time goes to the record in its context (loop time, its longest hold, after the answer);
    the server's own callbacks, with no record, are not timed (this runs for every one of them);
  - a watchdog thread looks at the loop thread's stack while one callback runs too long (a hold),
    at its CPU clock: computing (CPU share >= 0.5 of the time it was not queued for a core: a busy
    machine slows a computing thread, it does not make it wait) or waiting (time.sleep, a socket), and
    at the system call it waits in: a thread waiting for the GIL waits on a futex, so a waiting
    hold spent in futex is the GIL's (other threads computing), not the request's own, and is
    counted apart (gil_wait_ms);
  - a `def` route runs in AnyIO's thread pool: its wait for a thread, its time and CPU there;
  - a full collection of the garbage collector (generation 2) walks every object the process
    holds, on whichever thread allocated last, holding the GIL: the loop's time in one is the
    process's, not the request's it fell in, and is counted apart (gc_ms).
app_probe.py builds one Ledger, and with LAB_ATTRIBUTION=0 none (nothing is patched).
"""
import asyncio
import collections
import concurrent.futures
import contextvars
import dis
import gc
import inspect
import linecache
import os
import statistics
import sys
import sysconfig
import threading
import time
import traceback

CURRENT = contextvars.ContextVar("lab_request", default=None)  # the Record of the request running
IN_POOL = [0]  # `def` routes' functions running on AnyIO's pool threads now (time_thread_pool)
POOL_CALLS = [0]  # their calls asked and not yet returned: waiting for a thread, or on one
# A callback that read no CPU clock as it began (no call was on a pool thread then) and hands one
# over: the thread may take the GIL at once, and the callback wait for it until it ends. UNREAD
# says such a callback runs; HANDED holds the loop thread's clocks (perf_counter_ns, CPU) read as
# it handed the first call over (hand_over).
UNREAD, HANDED = [False], [None]
TOKEN_WAITS = [0, 0]  # the waits for a thread token counted (pool_full), and their sum in ns: /__lab/limiters
POOL_RUNNING = {}  # pool thread -> (the record whose function runs on it now, its start, its CPU then)
HOLD_MS = float(os.environ.get("LAB_HOLD_MS") or 20)  # a callback this long is a hold worth locating
HOLD_MS = int(HOLD_MS) if HOLD_MS.is_integer() else HOLD_MS  # (20, as given, not 20.0)
HOLD_NS = HOLD_MS * 1e6
LONG_NS = min(HOLD_NS, 1_000_000)  # a callback this long may be a span or a hold: timed_run's slow path
# A callback this long is looked at (its place, its owner, its CPU): the holds, and the slices a
# route cuts its computing into (an `await asyncio.sleep(0)` between them): short ones add up too.
LOOK_NS = min(HOLD_NS, 5_000_000)
# The records kept since the last reset: the first KEEP; later ones are only counted (dropped).
# A record not kept is freed as its request ends, its memory still in the caches; letting the
# oldest of a full deque go instead frees one 10,000 requests old, long out of them: about 2 µs a
# request on a server that is never reset (bench/README.md, issue 38). The lab resets after each
# batch and each phase, so it never meets the limit.
KEEP = 10_000
SPANS = 64  # a record's callbacks of 1 ms or more kept as spans (the loop's timeline, request by request)
WATCH_S = 0.005  # the watchdog's period during a hold
IDLE_S = 1.0  # the resting watchdog's period: no request runs
FUTEX = {"x86_64": b"202", "aarch64": b"98"}.get(os.uname().machine)  # the futex call's number: waiting for the GIL
CALLS = {dis.opmap[name] for name in ("CALL", "PRECALL", "CALL_FUNCTION_EX") if name in dis.opmap}
ENTER = dis.opmap.get("BEFORE_WITH")  # `with lock:` entering: the context manager's __enter__
# The full collections of the garbage collector lately (start, end, thread), perf_counter_ns:
# a hold overlapping one spent that part in it (time_full_collections).
FULL_COLLECTIONS = collections.deque(maxlen=32)
PROBE_FILES = {os.path.realpath(os.path.join(os.path.dirname(__file__), name))
               for name in ("app_probe.py", "loop_ledger.py", "lifeline.py")}


class Record:
    """One request's account. Written on the loop thread only (the watchdog publishes Holds).
    Opened for every request, on the loop's time, so it has no __init__ (calling a Python one from
    C is dearer than the writes it makes): Ledger.open writes what the request brings (its number,
    method, target, start) and the five figures every request reads before it adds to them (its
    callbacks' sums, its answer's time); every other field, which few requests change, starts as
    the class's own default below, and an instance holds only what its request changed. (A field
    read from the class's default is looked up the slow way at every read, through the class and
    the instance both; one the instance holds is read at once.) What only a report needs (its
    target spelled out, its route's template, its answer in µs) waits for the report."""
    endpoint = None  # what the router found to answer it (scope["endpoint"]): its route's template at the report
    status, done_us = 0, -1
    gil_ns = longest_gil_ns = 0  # its callbacks' time waiting for other threads' GIL (charge_long), the longest
    gc_ns = 0  # its callbacks' time in the collector's full collections (on the loop, or holding its GIL)
    gil_by = None  # a request whose `def` function computed on a pool thread meanwhile
    cpu_share, where, spans = -1.0, None, None  # its longest looked-at callback's; its callbacks of 1 ms or more
    where_ns = 0  # how long the callback `where` names took
    # Its callbacks of 1 ms or more: the longest own time of those whose time queued for a core
    # was read whole (from their start), and the longest of the others (their queueing unknown).
    longest_own_ns = longest_unread_ns = 0
    # Of its callbacks of 1 ms or more whose CPU was read (charge_long): their time, the loop
    # thread's CPU in it, and its time queued for a core (the machine's, not the request's).
    measured_ns = cpu_ns = queued_ns = 0
    pool_ns = pool_cpu_ns = pool_wait_ns = 0  # a `def` route's time on a pool thread
    pool_blocked_ns = 0  # of which neither computing nor queued for a core: asleep (the GIL, or I/O)
    pool_owner = pool_function = None  # the first function it ran on AnyIO's pool, and whose: ("dependency", "get_db")
    db_wait_ns = 0  # waiting for a connection of a SQLAlchemy QueuePool (limiters.py), on its thread
    body_left = None  # an answer sent in pieces: the bytes its head's content-length still promises (-1: none said)

    def answered_by(self, piece, head):
        """A piece of a body sent in pieces (`more_body`) gone out: whether the client now has every
        byte the head's content-length promised (the head read at the first piece). Most answers
        come in one piece, and never come here: their last message answers them."""
        if self.body_left is None:
            self.body_left = -1
            for key, value in head or ():
                if key.lower() == b"content-length" and value.isdigit():
                    self.body_left = int(value)
        if self.body_left < 0:
            return False  # (no content-length: only the last message says)
        self.body_left -= len(piece.get("body", b""))
        return self.body_left == 0

    def answered_us(self):
        """When the client had the whole answer, CLOCK_MONOTONIC µs; -1 before."""
        return self.answered_ns // 1000 if self.answered_ns else -1

    def as_json(self, route):
        where = self.where and dict(zip(("file", "line", "function", "call", "owner", "owner_name"), self.where))
        target = (self.path + (b"?" + self.query if self.query else b"")).decode("latin-1")
        return {"id": self.id, "method": self.method, "target": target, "route": route,
                "status": self.status, "start_us": self.start_us, "answered_us": self.answered_us(),
                "done_us": self.done_us, "loop_ms": ms(self.loop_ns), "longest_hold_ms": ms(self.longest_ns),
                "longest_own_ms": ms(self.longest_own_ns), "longest_unread_ms": ms(self.longest_unread_ns),
                "holds": self.holds, "held_after_answer_ms": ms(self.after_ns),
                "cpu_share": round(self.cpu_share, 3), "where": where, "pool_ms": ms(self.pool_ns),
                "pool_cpu_ms": ms(self.pool_cpu_ns), "pool_wait_ms": ms(self.pool_wait_ns), "gil_wait_ms": ms(self.gil_ns), "longest_gil_ms": ms(self.longest_gil_ns),
                "pool_blocked_ms": ms(self.pool_blocked_ns), "gc_ms": ms(self.gc_ns),
                "pool_owner": self.pool_owner, "pool_function": self.pool_function,
                "db_wait_ms": ms(self.db_wait_ns),
                "measured_ms": ms(self.measured_ns),
                "gil_wait_by": self.gil_by and f"{self.gil_by.method} {self.gil_by.path_str}",
                "measured_cpu_ms": ms(self.cpu_ns), "queued_ms": ms(self.queued_ns), "spans": self.spans or []}


def ms(ns):
    return round(ns / 1e6, 3)


def held_where(where):
    """(file, line, function, call) -> "app/vendor_sdk.py:9 exchange_rate → time.sleep"; "" for none."""
    return f"{where[0]}:{where[1]} {where[2]} → {where[3]}" if where else ""


class Ledger:
    """The records since the last reset, and what the loop thread is doing now (since, hold)."""

    def __init__(self, root):
        self.root, self.records, self.count = root, [], 0
        self.counted = 0  # the records opened before the last reset and not kept by it
        self.loop, self.schedstat = None, None  # the loop, and its thread's schedstat (a ThreadFile)
        self.since = 0  # perf_counter_ns when the request's callback running now began; else 0
        self.hold = None  # the watchdog's latest Hold: replaced whole, never changed in place
        self.parked, self.wake = False, threading.Event()  # the watchdog resting while no request runs
        self.woken = 0  # perf_counter_ns when a request last woke the resting watchdog (unpark)
        # The most the watchdog came back late since the last reset (its nap overran, or it woke
        # long after a request unparked it): a machine that kept it from a core, or from the GIL,
        # that long kept it from looking at the holds meanwhile. Said in the report, never judged.
        self.late_ns = 0
        self.places = Places(root)  # the app's own files (the watchdog's looks, the framework's holds)

    def open(self, scope, now_ns, start_us):
        """A request's record, opened in its task's first step at now_ns (CLOCK_MONOTONIC, as
        perf_counter_ns; start_us is it in µs, the probe's stamp): from then that step is the
        request's time on the loop (timed_run times from their start only the callbacks that
        already had a record). Kept while fewer than KEEP are (KEEP: else only counted, `dropped`)."""
        if not self.since:
            self.since = now_ns
        self.count += 1
        if self.parked:
            self.unpark()
        record = Record()
        record.id, record.method, record.start_us = self.count, scope["method"], start_us
        record.path, record.query = scope.get("raw_path") or scope["path"].encode(), scope.get("query_string")
        record.path_str = scope["path"]  # (a Mount rewrites the shared scope's path to the part below it)
        # Its callbacks on the loop (their time, their count, the longest, the time after the
        # answer: timed_run), and when the client had all of its answer (perf_counter_ns,
        # CLOCK_MONOTONIC as monotonic_ns; 0 until then: stamped_send): read by every request.
        record.loop_ns = record.holds = record.longest_ns = record.after_ns = record.answered_ns = 0
        if len(self.records) < KEEP:
            self.records.append(record)
        return record

    def dropped(self):
        """The records opened since the last reset and not kept (KEEP)."""
        return self.count - self.counted - len(self.records)

    def unpark(self):
        """A request runs: wake the resting watchdog (Watchdog.rest)."""
        self.parked, self.woken = False, time.perf_counter_ns()
        self.wake.set()

    def report(self, reset, route_of):
        """Every record kept as JSON, each named by its route: route_of(record) -> its template."""
        for r in self.records:
            r.where = self.places.framework_at(r.where, r.endpoint)
        body = {"hold_ms": HOLD_MS, "requests": [r.as_json(route_of(r)) for r in self.records],
                "dropped": self.dropped(), "watchdog_late_ms": ms(self.late_ns)}
        if reset:
            self.reset()
        return body

    def reset(self):
        """Forget the finished records; the ones in flight stay (they finish into the next report)."""
        self.records = [r for r in self.records if r.done_us < 0]
        self.counted = self.count - len(self.records)
        self.late_ns = 0

    def figures(self):
        """(median loop ms an answered request held, -1 if none; where the longest located hold
        was; its call, owner, owner's name and CPU share, as a dict, or None). Answered, not
        finished: the lab asks the moment its last answer comes, while the requests' tasks may
        still be closing (a middleware's task group), and what they held before answering is known."""
        done = [r for r in self.records if r.done_us >= 0 or r.answered_ns]
        if not done:
            return -1.0, "", None
        longest = max(done, key=lambda r: (r.where is not None, r.where_ns))
        held = ms(statistics.median(r.loop_ns for r in done))
        longest.where = self.places.framework_at(longest.where, longest.endpoint)
        if longest.where is None:
            return held, "", None
        call, owner, name = longest.where[3:6]
        return held, held_where(longest.where), {"call": call, "owner": owner, "owner_name": name,
                                                 "cpu_share": round(longest.cpu_share, 3)}

    def watch(self, loop):
        """Called on the loop's thread, once per loop: time its callbacks, start its watchdog."""
        self.loop, self.since, self.hold = loop, 0, None
        self.schedstat = ThreadFile(threading.get_native_id(), "schedstat")
        watchdog = Watchdog(self, loop, threading.get_ident(), threading.get_native_id())
        watchdog.start()


def time_callbacks(ledger):
    """Patch asyncio's Handle._run (every callback and task step of the stdlib loop goes through
    it) to add each callback's time to its context's record. It runs for every callback of the
    server (3 a request for a plain route, about 30 behind a BaseHTTPMiddleware), so it does the
    least it can:
      - a callback with no record (the server's reads, its timers) reads no clock, and is asked
        nothing else unless a record was opened while it ran;
      - a task's first step sets CURRENT as it runs (the probe opens the record there): it counts
        from the opening (Ledger.open sets `since`);
      - a request's other callbacks read the clock twice; a short one (nearly all) is charged
        inline, a long one (a span, perhaps a hold) by charge_long;
      - while a `def` route computes on a pool thread (IN_POOL), they also read the loop thread's
        CPU clock as they begin (one that hands the first call over, as it does): a long one the
        watchdog could not look at waited for the GIL."""
    run, clock, current, long_ns = asyncio.events.Handle._run, time.perf_counter_ns, CURRENT, LONG_NS
    time_full_collections()

    def timed_run(handle):
        record = handle._context.get(current)
        if record is None:  # (the most frequent: the server's own callbacks, a read, a timer)
            UNREAD[0] = True
            run(handle)
            UNREAD[0], cpu0 = False, HANDED[0] and handed_over()  # (a call only where one was handed)
            if not ledger.since or handle._loop is not ledger.loop:
                return  # it opened no record (or it ran on another loop, one in a thread the app started)
            t0, record = ledger.since, handle._context.get(current)  # a first step, from the opening
            if record is None:  # (the loop's first request opened it while it was not yet watched)
                ledger.since = 0
                return
        elif handle._loop is not ledger.loop:
            return run(handle)  # a request's context on another loop: not ours to time
        else:
            ledger.since = t0 = clock()
            if ledger.parked:
                ledger.unpark()  # a request's callback after a quiet spell: the watchdog looks again
            # The CPU clock (and the run queue) only where a long callback is likely: pool
            # threads compute (a GIL wait?), or the request already had a span (a route that
            # computes in slices): its kind, short holds included (charge_long). Not for the rest
            # (unless it hands a call to a pool thread: then they are read there, hand_over).
            pooled = POOL_CALLS[0]  # (a call just handed to a thread may take the GIL at once)
            if pooled or record.longest_ns >= long_ns:
                cpu0, UNREAD[0] = (cpu_clock_here(), queued_ns(ledger.schedstat), pooled, t0), False
            else:
                cpu0, UNREAD[0] = None, True
            run(handle)  # (Handle._run catches what the callback raises)
            UNREAD[0], cpu0 = False, cpu0 or (HANDED[0] and handed_over())
        t1 = clock()
        ledger.since, took = 0, t1 - t0
        if took >= long_ns:
            return charge_long(record, t0, t1, ledger.hold, cpu0, ledger.schedstat)
        # A short callback (nearly all), charged here as charge_long would charge one with no span
        # and no hold. A record's longest is a short one's only while it has no hold, so its
        # `where` is still None and its cpu_share -1.
        record.loop_ns += took
        record.holds += 1
        answered = record.answered_ns
        if answered:
            record.after_ns += t1 - (answered if answered > t0 else t0)  # (not max(): one call less)
        if took > record.longest_ns:
            record.longest_ns = took

    asyncio.events.Handle._run = timed_run

    def handed_over():
        """As a callback that handed a call to a pool thread, having read no clock as it began,
        ends: the loop thread's clocks read there (hand_over), as timed_run reads them at a start."""
        handed, HANDED[0] = HANDED[0], None
        return handed[1], None, True, handed[0]

    def switch(on):
        """The callbacks timed (on) or run as asyncio runs them (off): a benchmark's one process
        with the attribution and without it, turn about (GET /__lab/attribution?on=0|1)."""
        asyncio.events.Handle._run = timed_run if on else run

    return switch


def charge_long(record, t0, t1, hold, cpu0=None, schedstat=None):
    """A callback of 1 ms or more (t0 to t1, perf_counter_ns) to its request's record: a span of
    its timeline, and, if the watchdog looked at it (`hold` began at t0), a hold: the share of it
    spent waiting for other threads' GIL set apart, and where the app was. Its CPU and its time
    queued for a core are read from the watchdog's first look, or from its start where timed_run
    read them (cpu0: the CPU clock, the time queued, whether pool threads computed). A callback
    that began while pool threads computed and that the watchdog could not look at (they kept
    the GIL from it too): its time neither computing nor queued was the GIL's."""
    hold = hold if hold is not None and hold.since == t0 else None
    gil, whole_queued = 0, None  # (its time queued for a core from its start, where read then)
    collected, by_loop = collector_time(t0, t1)  # (in full collections: the process's, apart)
    gil_share = 0.0
    if hold:
        # A hold that computed did not wait for the GIL (a futex seen was the watchdog's own
        # look); one that waited, in no place of the app's nor FastAPI's, while threads ran the
        # app's code, waited for nothing else the loop's thread could wait for in a callback.
        share = hold.share_until(t1)
        gil_share = 0.0 if share >= 0.5 else 1.0 if hold.where is None and hold.pooled else hold.gil_share
        gil = int((t1 - t0) * gil_share)  # waiting for other threads' GIL: not its own
        span, cpu, queued = hold.account(t1)
        measure(record, int(span * (1 - gil_share)) - collected, cpu - by_loop, queued)
        if cpu0 is not None and cpu0[1] is not None:  # (the account starts at the first look: add before)
            whole_queued = queued + hold.first[2] - cpu0[1]
        if cpu0 is not None and cpu0[2] and hold.where is None:
            # Its first look may have come late (a thread kept the GIL from the watchdog too: 44.4
            # ms into a hold of 44.8, the loop computing 0.4 ms): from its clocks read before, its
            # time neither computing nor queued, in no place of the app's, was the GIL's. (From
            # the clocks already read: each read of a file gives the GIL away.)
            computed = cpu + hold.first[1] - cpu0[0]
            gil = max(gil, t1 - cpu0[3] - computed - (queued if whole_queued is None else whole_queued))
    elif cpu0 is not None:
        cpu = cpu_clock_here() - cpu0[0]
        queued = 0 if cpu0[1] is None else queued_ns(schedstat) - cpu0[1]  # (None: see hand_over)
        if cpu0[2]:  # (from when the clocks were read: the start, or where it handed a call over)
            gil = max(0, t1 - cpu0[3] - cpu - queued)
        measure(record, t1 - cpu0[3] - gil - collected, cpu - by_loop, queued)
        whole_queued = None if cpu0[1] is None else queued
    gil = min(gil, max(0, t1 - t0 - collected))  # (a collection on a pool thread kept the GIL)
    took = t1 - t0 - gil - collected
    if collected and whole_queued:  # (queued for a core in the collection too: its share of it)
        whole_queued = whole_queued * took // max(t1 - t0, 1)
    record.gc_ns += collected
    record.loop_ns += took
    record.gil_ns += gil
    if gil > record.longest_gil_ns:
        record.longest_gil_ns = gil
    if gil and record.gil_by is None:
        record.gil_by = computing_on_the_pool(record, t1)
    record.holds += 1
    if took >= 1_000_000:  # a span: its callbacks of 1 ms or more, (start µs, end µs), the first SPANS
        if record.spans is None:
            record.spans = []  # (made for the first: most records have none)
        if len(record.spans) < SPANS:
            record.spans.append((t0 // 1000, t1 // 1000))
    if record.answered_ns:
        record.after_ns += max(0, t1 - max(t0, record.answered_ns) - gil - collected)
    if took > record.longest_ns:
        record.longest_ns = took
    if whole_queued is None:
        record.longest_unread_ns = max(record.longest_unread_ns, took)
    else:  # what a busy machine stretched it by, taken off
        record.longest_own_ns = max(record.longest_own_ns, took - min(max(whole_queued, 0), took))
    if hold is not None and took >= record.where_ns and gil_share < 0.5:  # the longest one located
        record.where, record.where_ns, record.cpu_share = hold.where, took, share


def time_full_collections():
    """Time each full collection of the garbage collector (gc.callbacks: its start, its stop),
    on whichever thread it runs: FULL_COLLECTIONS."""
    began = [0]

    def timed(phase, info):
        if info["generation"] == 2:
            if phase == "start":
                began[0] = time.perf_counter_ns()
            else:
                FULL_COLLECTIONS.append((began[0], time.perf_counter_ns(), threading.get_ident()))

    gc.callbacks.append(timed)


def collector_time(t0, t1):
    """The ns from t0 to t1 (perf_counter_ns) spent in full collections: in all, and of them on
    this thread (computing; on another, it held the GIL this thread waited for)."""
    if not FULL_COLLECTIONS or FULL_COLLECTIONS[-1][1] <= t0:
        return 0, 0  # (nearly every callback: no collection since it began, no copy made)
    whole = here = 0
    me = threading.get_ident()
    try:
        collections_now = list(FULL_COLLECTIONS)
    except RuntimeError:  # (one appended while it was copied: a collection inside the copy)
        return 0, 0
    for start, end, thread in collections_now:
        overlap = min(end, t1) - max(start, t0)
        if overlap > 0:
            whole += overlap
            here += overlap if thread == me else 0
    return whole, here


def computing_on_the_pool(record, now_ns):
    """The request whose `def` function computes most on a pool thread now (CPU half its time or
    more since it began), another than `record`: whose GIL `record` waited for. None if none."""
    found, most = None, 0.5
    for ident, (other, start, cpu) in list(POOL_RUNNING.items()):  # (pool threads change it meanwhile)
        try:
            share = (time.clock_gettime_ns(time.pthread_getcpuclockid(ident)) - cpu) / max(now_ns - start, 1)
        except OSError:
            continue  # (its thread just ended)
        if other is not record and share >= most:
            found, most = other, share
    return found


def measure(record, span_ns, cpu_ns, queued):
    """A callback's CPU read: `span_ns` of the loop's time, of which `cpu_ns` computing and
    `queued` waiting for a core (the machine kept it off the CPU)."""
    record.measured_ns += max(0, span_ns)
    record.cpu_ns += max(0, min(cpu_ns, span_ns))
    record.queued_ns += max(0, min(queued, span_ns))


def time_thread_pool():
    """Patch anyio.to_thread.run_sync (Starlette's run_in_threadpool looks it up at each call):
    a `def` route's wait for a pool thread, its time on that thread, and its CPU time there.
    A call waits for a pool thread only when as many calls as its limiter has threads were already
    in flight (waiting for one or on one) as it asked; a call that found a thread to spare and
    still started late was kept by the machine (a thread waking, a busy core), not by the pool:
    its wait is not counted as one for a thread. (Counted here, on the loop, not read from the
    limiter: calls asked together have not taken their tokens yet when the next one asks.)"""
    count_executor_calls()
    try:
        import anyio.to_thread
    except ImportError:
        return  # no AnyIO, no Starlette: nothing runs in its pool
    original = anyio.to_thread.run_sync
    in_flight = {}  # limiter -> its calls asked and not yet returned

    async def run_sync(func, *args, **options):
        limiter = options.get("limiter") or anyio.to_thread.current_default_thread_limiter()
        pool_full = in_flight.get(limiter, 0) >= limiter.total_tokens
        in_flight[limiter] = in_flight.get(limiter, 0) + 1
        hand_over()
        try:
            return await timed_call(CURRENT.get(), pool_full, func, *args, **options)
        finally:
            POOL_CALLS[0] -= 1
            in_flight[limiter] -= 1
            if not in_flight[limiter]:
                del in_flight[limiter]

    async def timed_call(record, pool_full, func, *args, **options):
        if record is None:
            return await original(func, *args, **options)
        called, times = time.perf_counter_ns(), []
        if record.pool_function is None:  # (who asked: a `def` dependency, the route, a body)
            record.pool_owner = pool_caller(sys._getframe(1))
            record.pool_function = getattr(getattr(func, "func", func), "__name__", None)  # (a partial's)
        try:
            return await original(lambda *given: run_timed(record, func, given, times), *args, **options)
        finally:
            if times and pool_full:
                record.pool_wait_ns += times[0] - called
                TOKEN_WAITS[0] += 1
                TOKEN_WAITS[1] += times[0] - called
            charge_pool(record, times)

    anyio.to_thread.run_sync = run_sync


def pool_caller(frame):
    """Whose function a call to the pool runs, by the framework's frame that asked for it (OWNERS:
    "dependency" for fastapi.dependencies.utils), within a few frames: else "route"."""
    for _ in range(4):
        frame = frame and frame.f_back
        owner = frame and OWNERS.get(frame.f_globals.get("__name__", ""))
        if owner:
            return owner
    return "route"


POOL_THREAD = threading.local()  # each pool thread's schedstat (a ThreadFile, closed with it)


def run_timed(record, func, given, times):
    """On a pool thread: func(*given), the record's, counted as running there (IN_POOL,
    POOL_RUNNING) and timed: (start, end, its CPU, its time queued for a core) added to `times`."""
    stat = getattr(POOL_THREAD, "schedstat", None)
    if stat is None:
        stat = POOL_THREAD.schedstat = ThreadFile(threading.get_native_id(), "schedstat")
    start, cpu, queued = time.perf_counter_ns(), time.thread_time_ns(), queued_ns(stat)
    IN_POOL[0] += 1
    POOL_RUNNING[threading.get_ident()] = (record, start, cpu)
    try:
        return func(*given)
    finally:
        POOL_RUNNING.pop(threading.get_ident(), None)
        IN_POOL[0] -= 1
        times.extend((start, time.perf_counter_ns(), time.thread_time_ns() - cpu, queued_ns(stat) - queued))


def charge_pool(record, times):
    """A pool call's run_timed times to its record, on the loop: its time on the thread, its CPU,
    and asleep there: neither computing nor queued for a core. A function that computes sleeps
    only while another thread holds the GIL."""
    if times:
        record.pool_ns += times[1] - times[0]
        record.pool_cpu_ns += times[2]
        record.pool_blocked_ns += max(0, times[1] - times[0] - times[2] - times[3])


def count_executor_calls():
    """Patch asyncio's run_in_executor (asyncio.to_thread's too): a request's function on a thread
    executor's thread is timed as a `def` route's is on AnyIO's (run_timed): while it computes in
    Python, the loop's thread waits for the GIL, and the watchdog tells that wait from the
    request's own. (A process pool's function is not wrapped: it must pickle, and it keeps no GIL
    of this process.)"""
    original = asyncio.base_events.BaseEventLoop.run_in_executor

    def run_in_executor(loop, executor, func, *args):
        record = CURRENT.get()
        if record is None or not (executor is None or isinstance(executor, concurrent.futures.ThreadPoolExecutor)):
            return original(loop, executor, func, *args)
        times = []
        hand_over()
        future = original(loop, executor, lambda *given: run_timed(record, func, given, times), *args)

        def done(_):
            POOL_CALLS[0] -= 1
            charge_pool(record, times)

        future.add_done_callback(done)
        return future

    asyncio.base_events.BaseEventLoop.run_in_executor = run_in_executor


class Hold:
    """What the watchdog saw of one long callback: `since` names it (the ledger's since); the
    share of it spent waiting for the GIL (not computing, and waiting on a futex); its first look
    inside it (perf_counter_ns, the loop thread's CPU clock, its time queued for a core), from
    which its CPU share counts; and the loop thread's schedstat, read again as the hold ends."""
    __slots__ = ("since", "where", "gil_share", "first", "schedstat", "pooled")

    def __init__(self, since, where, gil_share, first, schedstat, pooled):
        self.since, self.where, self.gil_share, self.first = since, where, gil_share, first
        self.schedstat, self.pooled = schedstat, pooled  # (pooled: threads ran the app's code at a look)

    def account(self, end_ns):
        """(ns from the first look to end_ns, of which CPU, of which queued for a core), read on
        the loop thread as the callback ends."""
        return end_ns - self.first[0], cpu_clock_here() - self.first[1], queued_ns(self.schedstat) - self.first[2]

    def share_until(self, end_ns):
        """The loop thread's CPU share from the first look to the callback's end, read on the loop
        thread as it ends: a busy machine may give the watchdog one look only, and one is enough."""
        return running_share(self.first, end_ns, cpu_clock_here(), queued_ns(self.schedstat))


def running_share(first, now_ns, cpu_ns, queued):
    """The CPU share of a thread from `first` (perf_counter_ns, CPU clock, time queued) to now, of
    the time it did not spend queued for a core: a thread that computes on a machine another
    process keeps busy runs 40 % of the time and waits in the run queue for the rest, and it
    computes all the same (1.0); one that sleeps or waits for a socket neither runs nor queues
    (0.0). -1 if no time passed."""
    wanted = now_ns - first[0] - max(0, queued - first[2])
    if now_ns <= first[0] or wanted <= 0:
        return -1.0 if now_ns <= first[0] else 1.0
    return min(max((cpu_ns - first[1]) / wanted, 0.0), 1.0)


def queued_ns(schedstat):
    """The time a thread has waited in the run queue for a core (the second field of its schedstat,
    a ThreadFile), 0 where the kernel does not say."""
    try:
        return int(schedstat.read().split()[1])
    except (IndexError, ValueError):
        return 0


class ThreadFile:
    """One of the loop thread's /proc files, opened once and read again with one pread a time. The
    watchdog reads them during a hold, and every system call it makes gives the GIL back: a loop
    thread that computes lets it have the GIL again only after the switch interval, 5 ms: an open,
    a read and a close could cost a look 15 ms of a 60 ms hold. Empty where /proc cannot say."""

    def __init__(self, native_id, name):
        try:
            self.fd = os.open(f"/proc/self/task/{native_id}/{name}", os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            self.fd = -1

    def __del__(self):
        try:
            self.close()  # (a pool thread's, when the thread ends)
        except Exception:
            pass  # (at the interpreter's exit, os may be gone already)

    def read(self):
        try:
            return os.pread(self.fd, 64, 0) if self.fd >= 0 else b""
        except OSError:
            return b""

    def close(self):
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def cpu_clock_of(ident):
    """The loop thread's CPU clock, read from another thread (the watchdog)."""
    cpu_clock = time.pthread_getcpuclockid(ident)
    return lambda: time.clock_gettime_ns(cpu_clock)


def hand_over():
    """A call handed to a pool thread, on the loop's thread: counted, and the loop thread's clocks
    read if the callback running read none as it began (UNREAD): from here on it may wait for the
    GIL the thread takes. Not its time queued for a core: reading a file gives the GIL away, to
    the thread just handed a call, and the loop would wait a switch interval (5 ms) for it."""
    POOL_CALLS[0] += 1
    if UNREAD[0] and HANDED[0] is None:
        HANDED[0] = (time.perf_counter_ns(), cpu_clock_here())


def cpu_clock_here():
    """This thread's own CPU clock (the loop thread's, read as a hold ends)."""
    return time.thread_time_ns()


class Watchdog(threading.Thread):
    """Every 5 ms while the loop thread has been in one callback longer than LOOK_NS: sample
    its stack (the app's deepest frame) and its CPU clock, and publish a new Hold. Between holds it
    looks as seldom as still catches every one: when the callback running now would become one,
    and, with none running, LAB_HOLD_MS later (a callback that starts after this look is still
    short then, so that look finds it running and waits for its threshold); and not at all once a
    look finds the loop between callbacks with no request opened since the look before: it rests
    until a request's callback starts. Each look takes the GIL from the loop's thread, which a
    server under load pays for: about 50 looks a second, not one a callback."""

    def __init__(self, ledger, loop, ident, native_id):
        super().__init__(name="lab-loop-watchdog", daemon=True)
        self.ledger, self.loop, self.loop_thread = ledger, loop, ident
        self.syscall = ThreadFile(native_id, "syscall")  # what the loop thread waits in now
        self.schedstat = ThreadFile(native_id, "schedstat")  # its time queued for a core
        self.place = ledger.places

    def run(self):
        """Watches until the loop closes. A look that fails (a frame it cannot read) must not end
        the watching for the server's life: it is said once on stderr, and the watching goes on."""
        said = False
        while not self.loop.is_closed():
            try:
                self.watch()
            except Exception:
                if not said:
                    traceback.print_exc()
                    said = True
        self.syscall.close()
        self.schedstat.close()

    def watch(self):
        busy, hold_ns = cpu_clock_of(self.loop_thread), LOOK_NS
        seen, tally, first, nap, futex, pooled = 0, None, None, WATCH_S, [0, 0], False
        opened = -1  # the ledger's count of requests at the last look
        while not self.loop.is_closed():
            if nap is None:
                self.rest(opened)
                now = time.perf_counter_ns()
                late = now - self.ledger.woken if self.ledger.wake.is_set() else 0
            else:
                asked = time.perf_counter_ns()
                time.sleep(nap)
                now = time.perf_counter_ns()
                late = now - asked - int(nap * 1e9)
            self.ledger.late_ns = max(self.ledger.late_ns, late)
            since = self.ledger.since
            if not since or now - since < hold_ns:  # no hold yet: look again when one could be
                quiet, opened = not since and self.ledger.count == opened, self.ledger.count
                nap = None if quiet else (hold_ns if not since else max(since + hold_ns - now, 1e6)) / 1e9
                continue
            # The loop thread's CPU clock only inside a hold: reading another thread's clock is a
            # system call that updates its run queue's accounting, and most looks find none.
            nap, cpu = WATCH_S, busy()
            if since != seen:  # a new hold: its CPU share counts from this first look inside it
                seen, tally, futex, pooled = since, collections.Counter(), [0, 0], False
                first = (now, cpu, queued_ns(self.schedstat))  # (one read a hold: it gives the GIL back)
            frame = sys._current_frames().get(self.loop_thread)
            tally[self.place.of(frame)] += 1
            del frame
            share = running_share(first, now, cpu, first[2])
            if 0 <= share < 0.5:  # computing, but queued for a core? (only then read again)
                share = running_share(first, now, cpu, queued_ns(self.schedstat))
            # A thread that computes waits on a futex whenever this one takes the GIL to look:
            # only a hold that is not computing, while pool threads run the app's code, can be the
            # GIL's. (A loop thread that computes on a machine another process keeps busy also
            # shows a low share, and waits on a futex for the watchdog's own look: with no pool
            # thread running, no other thread wanted the GIL.) And only then is the file read:
            # each read gives the GIL back, and a computing loop thread keeps it 5 ms each time,
            # so a look with reads could outlast the hold it looks at.
            # At a hold's first look its share is not known yet (-1): a futex then is read too, and
            # forgotten if a later look finds the loop computing; the loop's thread itself tells,
            # as the hold ends, whether it computed (charge_long): a hold the watchdog could look
            # at once only, because threads computing kept the GIL from it, is still told.
            pooled = pooled or bool(POOL_CALLS[0])  # (threads asked for, starting, running, ending)
            if share < 0.5 and IN_POOL[0]:
                futex[0] += self.waits_on_futex()
                futex[1] += 1
            elif share >= 0.5:
                futex = [0, 0]
            gil = futex[0] / futex[1] if futex[1] else 0.0
            where = max(tally, key=lambda w: (w is not None, tally[w]))  # the most seen place
            if self.ledger.since == since:  # (still the same callback: publish)
                self.ledger.hold = Hold(since, where, gil, first, self.schedstat, pooled)

    def rest(self, opened):
        """Wait until a request's callback starts (Ledger.unpark, from timed_run or open), or a
        second (to notice a closed loop). Parked first, then checked: a request that came between
        the look and the park is seen here, one that comes after finds the watchdog parked."""
        ledger = self.ledger
        ledger.wake.clear()
        ledger.parked = True
        if not ledger.since and ledger.count == opened:
            ledger.wake.wait(IDLE_S)
        ledger.parked = False

    def waits_on_futex(self):
        """Whether the loop thread is in futex(2) now: waiting for the GIL (or, rarely, a lock)."""
        return self.syscall.read().split(b" ", 1)[0] == FUTEX


class Places:
    """Frames -> the app's own place: (file relative to the root, line, function, the call below)."""

    def __init__(self, root):
        self.root, self.known = os.path.realpath(root), {}
        paths = sysconfig.get_paths()
        self.stdlib = tuple(os.path.realpath(paths[k]) + os.sep for k in ("stdlib", "platstdlib"))

    def placed(self, filename):
        """(a code object's file relative to the root, or None; whether it is the app's own
        Python), worked out once a file: realpath asks the kernel about every folder of the path,
        each question gives the GIL back, and a look waits 5 ms for it again while the loop thread
        computes: the shop's seven folders made one look outlast the 60 ms hold it looked at. (A
        template's compiled code names the template's file, under the root too: it is jinja2's
        code, entered from the app's render call, which is where the hold is told.)"""
        if filename not in self.known:
            real = os.path.realpath(filename) if not filename.startswith("<") else ""  # ("<frozen runpy>")
            under = real.startswith(self.root + os.sep)
            mine = (under and real not in PROBE_FILES and real.endswith(".py") and not real.startswith(self.stdlib)
                    and "site-packages" not in real and "dist-packages" not in real)
            self.known[filename] = (os.path.relpath(real, self.root) if under else None, mine)
        return self.known[filename]

    def app_file(self, filename):
        """A code object's file, relative to the root if it is the app's own Python, else None."""
        path, mine = self.placed(filename)
        return path if mine else None

    def of(self, frame):
        """(file, line, function, call, owner, owner's name) of the app's deepest frame; with none,
        FastAPI's own step for the route (framework_step); else None. A template of the app's
        rendered below that frame is named with the call: "….TemplateResponse (templates/a.html)"."""
        inner, step, template = None, None, ""
        while frame is not None:
            code = frame.f_code
            file = self.app_file(code.co_filename)
            if file is not None:
                return (file, frame.f_lineno, code.co_qualname, call_below(frame, inner) + template,
                        *owner_of(*self.entry(frame)))
            if not template:
                template = self.template(code.co_filename)
            if step is None and inner is not None and is_request_handler(frame):
                step = framework_step(inner)
            inner, frame = frame, frame.f_back
        return step

    def template(self, filename):
        """" (templates/a.html)" for a file under the root that is no Python (a template jinja2
        compiled), else ""."""
        path, mine = self.placed(filename)
        return f" ({path})" if path and not mine and not filename.endswith(".py") else ""

    def framework_at(self, where, endpoint):
        """A framework step (no file: the app had no frame on the stack) placed at the route's
        `return`, the line that handed FastAPI what it then worked on; where unchanged otherwise."""
        if where is None or where[4] != "framework" or where[0]:
            return where
        code = getattr(endpoint, "__code__", None)
        file = code and self.app_file(code.co_filename)
        if not file:
            return where
        return (file, last_return(code), code.co_qualname, where[3], "framework", code.co_name)

    def entry(self, frame):
        """(the outermost of the app's frames around `frame`, the framework's frame that called it).
        A generator of the app's that another library iterates (a template its rows) is the code's
        that handed it over: the app's frames above the library's; only Starlette's is a body."""
        outer, frame = frame, frame.f_back
        while frame is not None:
            if self.app_file(frame.f_code.co_filename) is not None:
                outer = frame
            elif not frame.f_globals.get("__name__", "").startswith(("contextlib", "functools")):
                break  # (a contextmanager or a partial between two of the app's frames is still the app's)
            frame = frame.f_back
        if outer.f_code.co_flags & GENERATORS and frame is not None and \
                not frame.f_globals.get("__name__", "").startswith("starlette."):
            above = frame
            while above is not None and self.app_file(above.f_code.co_filename) is None:
                above = above.f_back
            if above is not None:
                return self.entry(above)
        return outer, frame


# Who called the app's code tells what the code is to the framework: the owner of a hold, the
# thing to change. Starlette and FastAPI call each part from one place (their modules below).
OWNERS = {"fastapi.dependencies.utils": "dependency", "starlette.middleware.base": "middleware",
          "starlette.background": "background", "starlette.responses": "body"}
GENERATORS = inspect.CO_GENERATOR | inspect.CO_ASYNC_GENERATOR


def owner_of(outer, caller):
    """("route" | "dependency" | "middleware" | "background" | "body" | "startup" | "task", name)
    of the app's code entered at frame `outer` from the framework's frame `caller`."""
    code, name = outer.f_code, outer.f_code.co_qualname
    module = caller.f_globals.get("__name__", "") if caller is not None else ""
    if code.co_flags & GENERATORS:
        return "body", name  # a generator the framework iterates: a streaming answer's body
    if {"scope", "receive", "send"} <= set(code.co_varnames[:code.co_argcount]):
        return "middleware", name.split(".")[0]  # a plain ASGI middleware: its class
    if module in OWNERS:
        return OWNERS[module], name
    if caller is not None and caller.f_code.co_name in ("startup", "shutdown", "lifespan"):
        return "startup", name
    return ("task" if caller is None else "route"), name  # (a task the app made has no caller frame)


def is_request_handler(frame):
    """FastAPI's handler of one route's request (fastapi.routing's `app`), which solves the
    dependencies, calls the route, and validates, encodes and renders its answer."""
    return frame.f_code.co_name == "app" and frame.f_globals.get("__name__") == "fastapi.routing"


def framework_step(inner):
    """The handler's step the loop was in, as a place with no file yet (Places.framework_at puts it
    at the route's return): ("", 0, "", "fastapi.routing.serialize_response", "framework", "");
    None in the call of the route itself (run_endpoint_function: the route's own frames, or a
    `def` route handed to a pool thread, which is no work of FastAPI's)."""
    if inner.f_code.co_name == "run_endpoint_function":
        return None
    return ("", 0, "", f"{inner.f_globals.get('__name__', '?')}.{inner.f_code.co_qualname}", "framework", "")


def last_return(code):
    """The line of a function's last `return` (its implicit one: its last line), else its `def`."""
    lines = [i.positions.lineno for i in dis.get_instructions(code)
             if i.opname == "RETURN_VALUE" and i.positions and i.positions.lineno]
    return max(lines, default=code.co_firstlineno)


def call_below(frame, inner):
    """The call the app's frame is in: the next Python function inward (module-qualified), else
    the callee's text at the current instruction (a C function: time.sleep; `with LOCK:`'s
    LOCK.__enter__), else "computing"."""
    if inner is not None:
        return f"{inner.f_globals.get('__name__', '?')}.{inner.f_code.co_qualname}"
    code, at = frame.f_code, frame.f_lasti
    entering = at >= 0 and code.co_code[at] == ENTER
    if at < 0 or (code.co_code[at] not in CALLS and not entering):
        return "computing"
    positions = list(code.co_positions())
    line, end_line, column, end_column = positions[at // 2]
    if None in (line, end_line, column, end_column):
        return "computing"
    lines = [linecache.getline(code.co_filename, n).encode() for n in range(line, end_line + 1)]
    if len(lines) == 1:
        text = lines[0][column:end_column]
    else:
        text = lines[0][column:] + b"".join(lines[1:-1]) + lines[-1][:end_column]
    text = " ".join(text.decode(errors="replace").split())
    return f"{with_item(text)}.__enter__" if entering else callee(text) or "computing"


def with_item(text):
    """"with LEDGER: # …" -> "LEDGER": a with statement's (first) context manager."""
    head = text.split(":", 1)[0].removeprefix("async ").removeprefix("with ").split(",")[0]
    return head.split(" as ")[0].strip()


def callee(text):
    """"time.sleep(0.08)" -> "time.sleep": the argument list, matched from its closing bracket, cut off."""
    if not text.endswith(")"):
        return text
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(text[i], 0)
        if depth == 0:
            return text[:i].strip()
    return text
