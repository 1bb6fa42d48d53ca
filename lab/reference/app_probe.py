"""The lab's probe around a student's own ASGI app, so `lab run` can time it like its own servers.

    LAB_APP=/abs/path/main.py:app  python3 -m uvicorn --app-dir lab/reference app_probe:app --loop asyncio

serve.py --app starts exactly this. The student's file is imported unchanged and its app wrapped
in Probe, which adds what the lab's own servers give:
  - on every answer, whatever the route returns: x-lab-start-us (the probe got the request) and
    x-lab-end-us (the app began its answer), CLOCK_MONOTONIC µs as the harness reads them;
    x-lab-pid; x-lab-thread (the thread that began the answer);
  - GET /__lab/health and GET /__lab/stats[?reset=1] (max_loop_blocked_ms, max_loop_lag_ms,
    requests, in_service, worker_id), answered by the probe: the app never sees /__lab/;
  - with LAB_EVENTS_TO ("@name" or a path), the live marks of `lab serve --events-to`.
A file that cannot be served gets one line on stderr starting "your app: ", and exit status 2.
"""
import asyncio
import importlib.util
import inspect
import json
import os
import socket
import sys
import threading
import time
import traceback

if os.environ.get("LAB_DIE_WITH_PARENT"):  # set by serve.py: die with uvicorn, as apps.py does
    import lifeline

    lifeline.die_with_grandparent(int(os.environ["LAB_DIE_WITH_PARENT"]))

PID = b"%d" % os.getpid()  # one worker: uvicorn imports this module in the process that serves
TICK_S = 0.005  # the lag timer's period, as the lab's servers' (LoopMonitor::tick)


def refuse(first_line, *more):
    """The student's file is at fault: say why, the first line starting "your app: ", exit 2."""
    print(f"your app: {first_line}", *more, sep="\n", file=sys.stderr, flush=True)
    raise SystemExit(2)


def is_asgi(thing):
    """An async callable that takes scope, receive, send (not a class: calling one builds one)."""
    call = thing if inspect.isroutine(thing) else getattr(thing, "__call__", None)
    try:
        return (not inspect.isclass(thing) and inspect.iscoroutinefunction(call)
                and inspect.signature(thing).bind(None, None, None) is not None)
    except (TypeError, ValueError):
        return False  # e.g. a route's `async def work(ms: int)`: no `scope, receive, send`


def import_failure(error):
    """The last lines of the traceback, from the student's own first frame (not the probe's or
    importlib's; a SyntaxError has none, and shows its line and caret)."""
    tb, lab_frames = error.__traceback__, (__file__, "<frozen importlib._bootstrap_external>",
                                           "<frozen importlib._bootstrap>")
    while tb and tb.tb_frame.f_code.co_filename in lab_frames:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(error), error, tb)).rstrip().splitlines()[-6:]


def load_student_app(setting):
    """LAB_APP "/abs/path/main.py[:ATTR]" -> the app object, or refuse() saying why not."""
    path, _, attr = setting.rpartition(":")
    if not path or not attr.isidentifier():  # no ":ATTR" (a ':' in the path is not one)
        path, attr = setting, "app"
    name = os.path.basename(path)
    if not path.endswith(".py"):
        refuse(f"{name} is not a Python file (give the .py file that makes your app)")
    if not os.path.isfile(path):
        refuse(f"{path}: no such file")
    folder, stem = os.path.dirname(path), name[:-3]
    sys.path.insert(0, folder)  # the student's own imports (models.py beside main.py) come first
    spec = importlib.util.spec_from_file_location(stem, path)
    module = importlib.util.module_from_spec(spec)
    if stem not in sys.modules:  # (a main.py named like a module already loaded, json.py, is not)
        sys.modules[stem] = module  # as `import main` would: dataclasses and pickling look it up
    try:
        spec.loader.exec_module(module)
    except (Exception, SystemExit) as error:
        refuse(f"{name} failed to import:", *import_failure(error))
    if not hasattr(module, attr):
        apps = [n for n, v in vars(module).items() if not n.startswith("_") and is_asgi(v)]
        refuse(f"{name} has no `{attr}`: pass --app {name}:NAME"
               + (f" (its ASGI apps: {', '.join(apps)})" if apps else ""))
    app = getattr(module, attr)
    if not is_asgi(app):
        refuse(f"{name}'s `{attr}` is not an ASGI app (an async callable taking scope, receive, send);"
               f" it is {type(app).__name__}")
    return app


class WatchedSelector:
    """Stands in for the loop's selector to time the loop's busy stretches.

    The loop calls select() once a turn: with timeout 0 while work is ready (it will not wait),
    else with the time to its next timer, or None. A busy stretch runs from one wait's return to
    the next wait, so handlers that block one after another (time.sleep in `async def`) make one
    stretch: the lesson's figure. (asyncio's debug mode names single slow callbacks only.)
    """

    def __init__(self, selector):
        self.inner, self.most_s, self.busy_since = selector, 0.0, time.monotonic()

    def select(self, timeout=None):
        waits = timeout is None or timeout > 0
        if waits:
            self.most_s = max(self.most_s, time.monotonic() - self.busy_since)
        events = self.inner.select(timeout)
        if waits:
            self.busy_since = time.monotonic()
        return events

    def __getattr__(self, name):  # register, modify, get_map, close...: the real selector's
        return getattr(self.inner, name)


class LoopWatch:
    """A loop's longest busy stretch and its worst lag (a timer due every 5 ms) since the last
    reset: the figures the lab's servers report (LoopMonitor)."""

    def __init__(self, loop):
        self.loop, self.max_lag_s, self.selector = loop, 0.0, None
        if getattr(loop, "_selector", None) is not None:  # the stdlib SelectorEventLoop (--loop asyncio)
            self.selector = loop._selector = WatchedSelector(loop._selector)
        self.due = loop.time() + TICK_S
        loop.call_at(self.due, self.tick)

    def tick(self):
        now = self.loop.time()
        self.max_lag_s = max(self.max_lag_s, now - self.due)
        self.due = now + TICK_S
        self.loop.call_at(self.due, self.tick)

    def figures(self, reset):
        """(blocked ms, or -1 with no selector to watch; lag ms), counting the stretch the loop is
        in and a timer overdue now, as the lab's servers do; then reset if asked."""
        lag_ms = max(self.max_lag_s, self.loop.time() - self.due, 0.0) * 1000
        blocked_ms, now, watched = -1.0, time.monotonic(), self.selector
        if watched is not None:
            blocked_ms = max(watched.most_s, now - watched.busy_since) * 1000
        if reset:
            self.max_lag_s = 0.0
            if watched is not None:
                watched.most_s, watched.busy_since = 0.0, now
        return round(blocked_ms, 3), round(lag_ms, 3)


def open_marks(to):
    """A datagram socket connected to the live listener ("@name": Linux abstract name), or None."""
    if not to:
        return None
    try:
        marks = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        marks.setblocking(False)
        marks.connect("\0" + to[1:] if to.startswith("@") else to)
        return marks
    except OSError:
        return None  # no listener: the run goes on without its live picture


class Probe:
    """A pure ASGI wrapper: lifespan and websocket pass through, /__lab/ is the probe's own, and
    every other HTTP answer gets the x-lab-* stamps (and live marks)."""

    def __init__(self, app):
        self.app, self.watch = app, None
        self.requests = self.in_service = 0
        self.marks = open_marks(os.environ.get("LAB_EVENTS_TO"))

    async def __call__(self, scope, receive, send):
        loop = asyncio.get_running_loop()
        if self.watch is None or self.watch.loop is not loop:
            self.watch = LoopWatch(loop)  # once per loop (uvicorn runs one)
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if scope["path"].startswith("/__lab/"):
            return await self.answer_lab(scope, send)
        start_us = time.monotonic_ns() // 1000
        self.requests += 1
        self.in_service += 1
        mark = self.marker(scope, start_us) if self.marks else None

        async def stamped_send(message):
            kind = message["type"]
            if kind == "http.response.start":
                end_us = time.monotonic_ns() // 1000
                headers = [*message.get("headers", ()),  # a new list: the app's may be shared
                           (b"x-lab-start-us", b"%d" % start_us), (b"x-lab-end-us", b"%d" % end_us),
                           (b"x-lab-pid", PID), (b"x-lab-thread", b"%d" % threading.get_native_id())]
                message = {**message, "headers": headers}
                if mark:
                    mark(b"e", end_us)
            await send(message)
            if mark and kind == "http.response.body" and not message.get("more_body", False):
                mark(b"a", time.monotonic_ns() // 1000)

        try:
            await self.app(scope, receive, stamped_send)
        finally:
            self.in_service -= 1

    def marker(self, scope, start_us):
        """With a live listener: sends r and s now, and returns mark(kind, us) for e and a.
        A mark: "s 53124 8812345678 4242 /work?ms=100" (kind, client port, µs, pid, what)."""
        client, query = scope.get("client"), scope.get("query_string")
        if not client:  # (a unix socket's client has no port to name the request by)
            return None
        what = (scope.get("raw_path") or scope["path"].encode()) + (b"?" + query if query else b"")
        head, tail, marks = b" %d " % client[1], b" " + PID + b" " + what[:160], self.marks

        def mark(kind, us):
            try:  # never waits, never fails the request: a full listener loses the mark
                marks.send(kind + head + b"%d" % us + tail, socket.MSG_DONTWAIT)
            except OSError:
                pass

        mark(b"r", start_us)
        mark(b"s", start_us)
        return mark

    async def answer_lab(self, scope, send):
        """GET /__lab/health, GET /__lab/stats[?reset=1]; errors as the lab writes them."""
        path, get = scope["path"], scope["method"] == "GET"
        if get and path == "/__lab/health":
            status, body = 200, {"status": "ok"}
        elif get and path == "/__lab/stats":
            reset = b"reset=1" in scope.get("query_string", b"").split(b"&")
            blocked, lag = self.watch.figures(reset)
            status, body = 200, {"max_loop_blocked_ms": blocked, "max_loop_lag_ms": lag,
                                 "requests": self.requests, "in_service": self.in_service,
                                 "worker_id": os.getpid()}
            if reset:
                self.requests = 0  # (in_service is now, not since)
        else:
            status, body = 404, {"error": "the lab's paths: GET /__lab/health, /__lab/stats", "status": 404}
        data = json.dumps(body, separators=(",", ":")).encode()  # compact, as the lab's servers write
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(data))]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": data})


if not os.environ.get("LAB_APP"):
    refuse("LAB_APP is not set (serve.py --app main.py sets it to the file's path)")
app = Probe(load_student_app(os.environ["LAB_APP"]))
