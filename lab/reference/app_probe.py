"""The lab's probe around a student's own ASGI app, so `lab run` can time it like its own servers,
and `lab doctor` can say which route holds the loop, and where.

    LAB_APP=app.main:app LAB_APP_DIR=/abs/shop  python3 -m uvicorn --app-dir lab/reference app_probe:app --loop asyncio

serve.py --app starts exactly this. LAB_APP is what uvicorn takes (package.module:attr, imported
from LAB_APP_DIR) or a file (path/to/main.py[:attr], relative to LAB_APP_DIR; inside a package,
imported by its dotted name from the package's root, so its relative imports work). The app is
imported unchanged and wrapped in Probe, which adds what the lab's own servers give:
  - on every answer, whatever the route returns: x-lab-start-us (the probe got the request) and
    x-lab-end-us (the app began its answer), CLOCK_MONOTONIC µs as the harness reads them;
    x-lab-pid; x-lab-thread (the thread that began the answer); x-lab-token-wait-us and
    x-lab-connection-wait-us (its waits for one of AnyIO's thread tokens and for a SQLAlchemy
    pool's connection, while the ledger runs);
  - GET /__lab/health (anyone's) and GET /__lab/stats[?reset=1] (max_loop_blocked_ms, max_loop_lag_ms,
    requests, in_service, worker_id, held_per_request_ms, held_where, held_diagnosis: the longest
    located hold's call, owner and CPU share), answered by the probe:
    the app never sees /__lab/;
  - GET /__lab/requests[?reset=1]: each request's account of the loop's time (loop_ledger.py;
    LAB_ATTRIBUTION=0 turns it off; GET /__lab/attribution?on=0|1 turns it off and on again, for a
    benchmark), and GET /__lab/routes: the routes the app serves, and what
    each takes (its OpenAPI schema for FastAPI, its routes for Starlette), and GET
    /__lab/limiters[?reset=1]: AnyIO's thread tokens, asyncio's default executor and a SQLAlchemy
    pool, with the most each had in use since the last reset (limiters.py), the loop's longest
    stretch since then (loop_held_ms, reset apart from /__lab/stats'), and the requests served since
    then with the time from the first's start to the last's end, their background tasks done
    (served, served_ms: the server's own rate, which answers alone overstate); all but /__lab/health
    only to the run that started it (run_key.py);
  - with LAB_EVENTS_TO ("@name" or a path), the live marks of `lab serve --events-to`.
An app that cannot be served gets one line on stderr starting "your app: ", and exit status 2.
"""
import asyncio
import importlib
import inspect
import json
import os
import socket
import sys
import threading
import time
import traceback

from app_routes import RouteIndex, list_routes
from app_spec import file_module, is_dotted, names_a_file, split_spec
from loop_ledger import CURRENT, HOLD_MS, Ledger, time_callbacks, time_thread_pool
from limiters import Limiters
from loop_watch import LoopWatch
from run_key import REFUSED, asgi_key, may_control

if os.environ.get("LAB_DIE_WITH_PARENT"):  # set by serve.py: die with uvicorn, as apps.py does
    import lifeline

    lifeline.die_with_grandparent(int(os.environ["LAB_DIE_WITH_PARENT"]))

PID = b"%d" % os.getpid()  # one worker: uvicorn imports this module in the process that serves


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
    importlib's; a SyntaxError has none of its own, and ends with its file, line, source and caret)."""
    tb, lab_frames = error.__traceback__, (__file__, "<frozen importlib._bootstrap_external>",
                                           "<frozen importlib._bootstrap>", importlib.__file__)
    while tb and tb.tb_frame.f_code.co_filename in lab_frames:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(error), error, tb)).rstrip().splitlines()[-6:]


def import_app_module(module, root, shown):
    """importlib.import_module(module) with root first on sys.path, as uvicorn imports; refuse()
    says why it cannot."""
    sys.path.insert(0, root)
    os.chdir(root)  # the app's relative paths (templates/, data.json) as under `uvicorn` run there
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name and (module == error.name or module.startswith(error.name + ".")):
            refuse(f"no module named '{error.name}' in {root} (--app-dir)")
        refuse(f"{shown} failed to import:", *import_failure(error))
    except (Exception, SystemExit) as error:  # (a SyntaxError too: its caret is in the lines)
        refuse(f"{shown} failed to import:", *import_failure(error))


def same_file(a, b):
    return bool(a) and os.path.realpath(a) == os.path.realpath(b)


def wsgi_kind(thing):
    """"Flask", "Django", "environ, start_response" if `thing` is a WSGI app, else None."""
    if callable(thing) and hasattr(thing, "wsgi_app"):
        return type(thing).__name__  # Flask (and its kin) keep the WSGI app as .wsgi_app
    if type(thing).__name__ == "WSGIHandler":
        return "Django"
    call = thing if inspect.isroutine(thing) else getattr(thing, "__call__", None)
    try:
        if call and not inspect.isclass(thing) and not inspect.iscoroutinefunction(call):
            inspect.signature(thing).bind(None, None)
            return "environ, start_response"
    except (TypeError, ValueError):
        pass
    return None


def load_student_app(spec, folder):
    """LAB_APP "path/to/main.py[:ATTR]" or "package.module:ATTR" (ATTR may be dotted), read as
    uvicorn reads it from `folder` (--app-dir) -> (the app object, the root its files are under)."""
    if names_a_file(spec):
        given, attr = split_spec(spec)
        try:
            root, module = file_module(given, folder)
        except ValueError as error:
            refuse(str(error))
        shown = os.path.basename(given)
    else:
        given, colon, attr = spec.partition(":")
        if not colon or not is_dotted(given) or not is_dotted(attr):
            refuse(f"{spec} is neither a file (main.py[:app]) nor an import string (package.module:attr)")
        root, module, shown = folder, given, given
    loaded = import_app_module(module, root, shown)
    if names_a_file(spec) and not same_file(getattr(loaded, "__file__", None), os.path.join(folder, given)):
        refuse(f"{shown}: Python already has a module named {module!r} ({getattr(loaded, '__file__', 'built in')}):"
               " rename your file")
    app = loaded
    for part in attr.split("."):
        if not hasattr(app, part):
            apps = [n for n, v in vars(loaded).items() if not n.startswith("_") and is_asgi(v)]
            refuse(f"{shown} has no `{attr}`: pass --app {given}:NAME (lab exercise check: --attr NAME)"
                   + (f" (its ASGI apps: {', '.join(apps)})" if apps else ""))
        app = getattr(app, part)
    return checked_app(app, f"{module}'s `{attr}`"), root


def checked_app(app, what):
    """The app if it is ASGI; a WSGI app or anything else is refused, saying what it is."""
    if is_asgi(app):
        return app
    kind = wsgi_kind(app)
    if kind:
        refuse(f"{what} is a WSGI app ({kind}): the lab runs ASGI apps (FastAPI, Starlette, Quart, Django's asgi.py)")
    refuse(f"{what} is not an ASGI app (an async callable taking scope, receive, send); it is {type(app).__name__}")


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
    every other HTTP answer gets the x-lab-* stamps (and live marks), and a record in the ledger."""

    def __init__(self, app, ledger, switch=None):
        self.app, self.watch, self.ledger, self.routes = app, None, ledger, RouteIndex(app)
        self.kept, self.switch = ledger, switch  # (the attribution, and its switch, while turned off)
        self.requests = self.in_service = 0
        self.served = [0, 0, 0]  # since /__lab/limiters' reset: requests done, the earliest start of them, the last end (µs)
        self.marks = open_marks(os.environ.get("LAB_EVENTS_TO"))
        self.limiters = Limiters()

    async def __call__(self, scope, receive, send):
        loop = asyncio.get_running_loop()
        if self.watch is None or self.watch.loop is not loop:
            self.watch = LoopWatch(loop)  # once per loop (uvicorn runs one)
            if self.ledger:
                self.ledger.watch(loop)
        tracked = scope["type"] == "http" and not scope["path"].startswith("/__lab/")
        now = time.monotonic_ns()  # (the probe got the request: x-lab-start-us, and its record's start)
        start_us = now // 1000
        record = None
        # (`is not None`, here and below, not a truth test: the truth of a Ledger or a Record is
        # asked of its class, several lookups on every request, where `is` compares two pointers.)
        if self.ledger is not None:  # (a task inherits its creator's context: a request's only its own record)
            record = self.ledger.open(scope, now, start_us) if tracked else None
            CURRENT.set(record)
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if not tracked:
            return await self.answer_lab(scope, send)
        self.requests += 1
        self.in_service += 1
        self.limiters.sample()
        try:
            await self.app(scope, receive, self.stamper(scope, send, start_us, record))
            if record is not None and not record.status:
                record.status = 500  # (uvicorn answers 500 for an app that returned without answering)
        except Exception:
            if record is not None and not record.status:
                record.status = 500  # (and for one that raised before answering)
            raise
        finally:
            self.limiters.sample()
            self.in_service -= 1
            self.served[0] += 1  # (the earliest start of those done: one begun before a reset too)
            self.served[1] = min(self.served[1] or start_us, start_us)
            self.served[2] = time.monotonic_ns() // 1000  # its background tasks done too
            if record is not None:
                record.done_us = self.served[2]
                if record.endpoint is None:  # (no answer: what the router found, if it found one)
                    record.endpoint = scope.get("endpoint")

    def stamper(self, scope, send, start_us, record):
        """The app's `send`, adding the x-lab-* stamps to the answer's head, the live marks, and
        the answer's status and end to the request's record. (It runs for every message of every
        answer: what a record needs is written in the branches the stamps take anyway.)"""
        mark = self.marker(scope, start_us) if self.marks else None
        head = None  # the answer's head, read if its body comes in pieces

        async def stamped_send(message):
            nonlocal head
            kind = message["type"]
            if kind == "http.response.start":
                end_us = time.monotonic_ns() // 1000
                # A new list (the app's may be shared), without any x-lab-* field of the app's
                # own: the stamps the lab reads are the probe's, whatever the app says.
                own = [field for field in message.get("headers", ()) if not field[0].lower().startswith(b"x-lab-")]
                headers = [*own, (b"x-lab-start-us", b"%d" % start_us), (b"x-lab-end-us", b"%d" % end_us),
                           (b"x-lab-pid", PID), (b"x-lab-thread", b"%d" % threading.get_native_id())]
                if record is not None:  # its waits so far: for a thread token, for a DB connection
                    headers += [(b"x-lab-token-wait-us", b"%d" % (record.pool_wait_ns // 1000)),
                                (b"x-lab-connection-wait-us", b"%d" % (record.db_wait_ns // 1000))]
                if mark:
                    mark(b"e", end_us)
                await send({**message, "headers": headers})
                if record is not None:  # its status and its route's endpoint
                    record.status, record.endpoint, head = message["status"], scope.get("endpoint"), headers
                return
            await send(message)
            # A body's last piece answers the request (most answers come in one), or the piece
            # that brings the last byte its head's content-length promised, whichever comes first.
            # (The common body message is named first: a comparison, before a call to startswith.)
            if record is not None and not record.answered_ns and (
                    kind == "http.response.body" or kind.startswith("http.response.")):
                if not message.get("more_body", False) or record.answered_by(message, head):
                    record.answered_ns = time.perf_counter_ns()  # (CLOCK_MONOTONIC, as monotonic_ns)
            if mark and kind == "http.response.body" and not message.get("more_body", False):
                mark(b"a", time.monotonic_ns() // 1000)

        return stamped_send

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
        """GET /__lab/health, /__lab/stats[?reset=1], /__lab/requests[?reset=1], /__lab/routes,
        /__lab/limiters[?reset=1], /__lab/attribution."""
        path, get = scope["path"], scope["method"] == "GET"
        reset = b"reset=1" in scope.get("query_string", b"").split(b"&")
        status = 200
        if get and path == "/__lab/health":  # open: the bystander the doctor times, which changes nothing
            body = {"status": "ok"}
        elif not may_control(asgi_key(scope)):  # the rest is the run's own (run_key.py)
            status, body = 403, REFUSED
        elif get and path == "/__lab/stats":
            body = self.stats(reset)
        elif get and path == "/__lab/requests":
            body = (self.ledger.report(reset, self.routes.of) if self.ledger
                    else {"hold_ms": HOLD_MS, "requests": [], "dropped": 0, "attribution": False})
        elif get and path == "/__lab/routes":
            body = list_routes(self.app)
        elif get and path == "/__lab/limiters":
            done, first, last = self.served
            body = {**self.limiters.report(reset), "in_service": self.in_service,
                    "loop_held_ms": self.watch.held_ms(reset, "limiters") if self.watch else -1.0,
                    "served": done, "served_ms": (last - first) / 1000 if done else -1}
            if reset:
                self.served = [0, 0, 0]
        elif get and path == "/__lab/attribution":
            status, body = self.turn_attribution(scope.get("query_string", b""))
        else:
            status, body = 404, {"error": "the lab's paths: GET /__lab/health, /__lab/stats, /__lab/requests,"
                                          " /__lab/routes, /__lab/limiters, /__lab/attribution?on=0|1", "status": 404}
        data = json.dumps(body, separators=(",", ":"), default=str).encode()  # compact, as the lab's servers write
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(data))]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": data})

    def turn_attribution(self, query):
        """?on=0 or ?on=1: the attribution off or on again in this one process, so a benchmark
        compares the two without the difference two processes make by themselves. Only on a
        server started with it (LAB_ATTRIBUTION=1)."""
        if self.kept is None:
            return 409, {"error": "this server runs without the attribution (LAB_ATTRIBUTION=0)", "status": 409}
        if query not in (b"on=0", b"on=1"):
            return 400, {"error": "give ?on=0 or ?on=1", "status": 400}
        on = query == b"on=1"
        self.ledger = self.kept if on else None
        self.switch(on)
        return 200, {"attribution": on}

    def stats(self, reset):
        """The loop's figures since the last reset, as the lab's servers give them, and the ledger's:
        the median loop time a request held, and where the longest hold was."""
        blocked, lag = self.watch.figures(reset)
        held, where, diagnosis = self.ledger.figures() if self.ledger else (-1.0, "", None)
        body = {"max_loop_blocked_ms": blocked, "max_loop_lag_ms": lag, "requests": self.requests,
                "in_service": self.in_service, "worker_id": os.getpid(),
                "held_per_request_ms": held, "held_where": where, "held_diagnosis": diagnosis}
        if reset:
            self.requests = 0  # (in_service is now, not since)
            if self.ledger:
                self.ledger.reset()
        return body


def main():
    """The probe around the app LAB_APP names, read from LAB_APP_DIR (default: here)."""
    if not os.environ.get("LAB_APP"):
        refuse("LAB_APP is not set (serve.py --app main.py sets it to the file's path)")
    folder = os.path.abspath(os.environ.get("LAB_APP_DIR") or ".")
    if not os.path.isdir(folder):
        refuse(f"{folder}: no such folder (--app-dir)")
    ledger = None
    if os.environ.get("LAB_ATTRIBUTION", "1") != "0":
        time_thread_pool()  # before the app imports: the app may keep a reference to run_sync
    student, root = load_student_app(os.environ["LAB_APP"], folder)
    if os.environ.get("LAB_ATTRIBUTION", "1") != "0":
        ledger = Ledger(root)
        return Probe(student, ledger, time_callbacks(ledger))
    return Probe(student, ledger)


app = main()
