#!/usr/bin/python3
"""The probe's ledger (lab/reference/app_probe.py, loop_ledger.py) on a shop written as people write
them (scenarios/apps/shop; the apps to refuse in tests/data/doctor_shop): for each of its GET routes, 10 concurrent requests, then
GET /__lab/requests, and the physical bounds each route's records must meet: a blocking call in
`async def` holds the loop for its whole wait and is located in app/vendor_sdk.py; computing holds it
with a CPU share >= 0.5; awaiting holds it for next to nothing; a `def` route's time is the thread
pool's. With and without the shop's middleware; given as a file, its route /price. Then
/__lab/routes, the "your app: ..." refusals (exit 2), and no uvicorn left behind. What the
attribution costs a request is a benchmark's (bench/probe_cost.sh), not this test's.

    /usr/bin/python3 tests/probe_attribution_test.py     # from the repository's root

Exit 0 all passed, 1 a failure, 77 skipped (no FastAPI or uvicorn). Last line: "N passed, M failed".
"""
import concurrent.futures
import http.client
import json
import os
import select
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVE = os.path.join(REPO, "lab", "reference", "serve.py")
SHOP = os.path.join(REPO, "scenarios", "apps", "shop")  # the doctor's demonstration (lab doctor --example)
BROKEN = os.path.join(REPO, "tests", "data", "doctor_shop")  # apps the probe must refuse
PY = "/usr/bin/python3"
counts = {"passed": 0, "failed": 0}


def check(name, good, detail=""):
    counts["passed" if good else "failed"] += 1
    print(f"{'ok   ' if good else 'FAIL '} {name}" + ("" if good or not detail else f": {detail}"), flush=True)
    return good


def children(pid):
    """The live processes whose parent is `pid` (from /proc; zombies left out)."""
    found = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry))
    return found


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


class Server:
    """serve.py --app SPEC [--app-dir DIR] running, its address read from its one stdout line (waited
    for `wait` seconds at most: a test of an app that never starts waits on its own terms)."""

    def __init__(self, spec, app_dir=None, wait=20, **env):
        command = [PY, SERVE, "--app", spec] + (["--app-dir", app_dir] if app_dir else [])
        self.said = tempfile.TemporaryFile()  # (a pipe nobody reads would fill with uvicorn's tracebacks)
        self.process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=self.said,
                                        env={**os.environ, **env})
        self.host, self.port = None, None
        line = self.first_line(wait)
        if line.startswith("listening on http://"):
            self.host, _, port = line[len("listening on http://"):].rpartition(":")
            self.port = int(port)

    def first_line(self, timeout):
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        return self.process.stdout.readline().decode().strip() if ready else ""

    def stderr(self):
        self.said.seek(0)
        return self.said.read().decode(errors="replace")

    def get(self, path, method="GET"):
        """(status, the JSON or text body) of one request on its own connection."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            connection.request(method, path)
            answer = connection.getresponse()
            body = answer.read()
            is_json = answer.getheader("content-type", "").startswith("application/json")
            return answer.status, json.loads(body) if is_json else body
        finally:
            connection.close()

    def concurrently(self, path, n=10):
        """n GETs of path at once, each from its own thread and connection; their statuses."""
        start, statuses = threading.Barrier(n), []

        def one():
            start.wait()
            statuses.append(self.get(path)[0])

        threads = [threading.Thread(target=one) for _ in range(n)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return statuses

    def kill(self):
        """SIGKILL serve.py; True if its uvicorn (its children) are gone within 2 s too."""
        kids = children(self.process.pid)
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.process.stdout.close()
        deadline = time.monotonic() + 2
        while any(alive(kid) for kid in kids) and time.monotonic() < deadline:
            time.sleep(0.05)
        return bool(kids) and not any(alive(kid) for kid in kids)


def records(server, path, n=10):
    """A warm-up round (n at once: a `def` route's pool then has its threads, whose start-up would
    otherwise wait for the GIL on the loop), the ledger reset once the warm-up is done, n
    concurrent GETs, then their n records once all are done (background tasks included)."""
    server.concurrently(path, n)
    settled(server, 0)
    server.get("/__lab/requests?reset=1")
    statuses = server.concurrently(path, n)
    return statuses, settled(server, n)


def settled(server, n):
    """The ledger's records once there are n and none is in flight (5 s at most)."""
    deadline, found = time.monotonic() + 5, []
    while time.monotonic() < deadline:
        found = server.get("/__lab/requests")[1]["requests"]
        if len(found) >= n and all(r["done_us"] >= 0 for r in found):
            break
        time.sleep(0.05)
    return found


def each(found, key, test):
    return len(found) == 10 and all(test(r[key]) for r in found)


def median(found, key):
    return statistics.median(r[key] for r in found) if found else float("nan")


def shown(found, *keys):
    return "; ".join(" ".join(f"{k}={r[k]}" for k in keys) for r in found[:10])


def price(server, label):
    """/price/7's 10 records: held the loop for the vendor SDK's time.sleep, one module away."""
    statuses, found = records(server, "/price/7")
    check(f"{label} /price: 10 answers 200, each held the loop >= 70 ms, route /price/{{item_id}}",
          statuses == [200] * 10 and each(found, "loop_ms", lambda v: v >= 70)
          and each(found, "route", lambda v: v == "/price/{item_id}"), shown(found, "status", "route", "loop_ms"))
    check(f"{label} /price: where app/vendor_sdk.py exchange_rate → time.sleep, waiting (cpu_share < 0.5)",
          each(found, "where", lambda w: w and w["file"] == "app/vendor_sdk.py" and w["call"] == "time.sleep"
               and w["function"] == "exchange_rate") and each(found, "cpu_share", lambda v: 0 <= v < 0.5),
          shown(found, "where", "cpu_share") + " | server: " + server.stderr()[-1500:])


def attributions(server, label):
    """Each GET route's 10 records against its physical bounds."""
    price(server, label)
    # The watchdog says how late it came back at most (its 5 ms nap overran, or it woke long after
    # a request called it): 6.5 ms a batch here (median of 30, 25 at most), 15 beside three
    # computing processes, where a look waits its turn at the GIL. A machine that kept it from a
    # core for 40 ms or more (a vCPU the host took: CI's failure had 3 holds in a row, 180 ms, left
    # unlooked at, and no sleep of the test's own late) left it no look at most of a 60 ms hold.
    # Said, not judged: such a batch is run once more ("a run the machine disturbed is said to be
    # disturbed").
    statuses, found = records(server, "/report")
    late = server.get("/__lab/requests")[1]["watchdog_late_ms"]
    if sum(r["where"] is not None for r in found) < 8 and late >= 40:
        print(f"note  {label} /report: disturbed (the server's watchdog came back {late:.0f} ms late), "
              f"{sum(r['where'] is not None for r in found)} of 10 located: its batch once more", flush=True)
        statuses, found = records(server, "/report")
        late = server.get("/__lab/requests")[1]["watchdog_late_ms"]
    # A computing loop thread gives the GIL to the watchdog only every 5 ms: a hold the watchdog
    # could not look at is said as unknown (where null, cpu_share -1), never as elsewhere or
    # waiting. On a quiet machine it has 40 ms of each hold to get one look in, and a look makes
    # no system call but one pread (bench/README.md: 550 of 550 located), so 8 of 10 at least.
    located = [r for r in found if r["where"] is not None]
    check(f"{label} /report: each held the loop >= 45 ms; each located one computing (cpu_share >= 0.5) in app/pricing.py, "
          f"at least 8 of 10 located",
          each(found, "loop_ms", lambda v: v >= 45) and len(located) >= 8
          and all(r["cpu_share"] >= 0.5 and r["where"]["file"] == "app/pricing.py" for r in located)
          and all(r["cpu_share"] == -1 for r in found if r["where"] is None),
          f"the watchdog came back {late:.1f} ms late at most | "
          + shown(found, "loop_ms", "cpu_share", "where") + " | server: " + server.stderr()[-1500:])
    for path in ("/stock/4", "/search?q=shoes"):
        statuses, found = records(server, path)
        check(f"{label} {path}: 10 answers, the loop held < 20 ms a request (median; they wait 100 ms)",
              statuses == [200] * 10 and len(found) == 10 and median(found, "loop_ms") < 20,
              shown(found, "status", "loop_ms"))
    statuses, found = records(server, "/thumbnail?size=32")
    check(f"{label} /thumbnail (def): the loop held < 20 ms (median), >= 40 ms of CPU each in the pool",
          median(found, "loop_ms") < 20 and each(found, "pool_cpu_ms", lambda v: v >= 40),
          shown(found, "loop_ms", "pool_ms", "pool_cpu_ms", "pool_wait_ms"))
    statuses, found = records(server, "/orders")
    check(f"{label} /orders (def, time.sleep): >= 90 ms each in the pool, < 20 ms CPU, loop < 20 ms (median)",
          each(found, "pool_ms", lambda v: v >= 90) and each(found, "pool_cpu_ms", lambda v: v < 20)
          and median(found, "loop_ms") < 20, shown(found, "loop_ms", "pool_ms", "pool_cpu_ms", "pool_wait_ms"))
    receipt(server, label)
    statuses, found = records(server, "/broken")
    check(f"{label} /broken: 10 answers 500, recorded as 500 on route /broken",
          statuses == [500] * 10 and each(found, "status", lambda v: v == 500)
          and each(found, "route", lambda v: v == "/broken"), shown(found, "status", "route"))


def receipt(server, label):
    """/receipt answers at once; its background task then blocks the loop 50 ms. (Behind
    BaseHTTPMiddleware too: the answer's bytes, content-length long, are out before it runs.)"""
    statuses, found = records(server, "/receipt/12")
    check(f"{label} /receipt: >= 40 ms of loop held after the answer (its background task), done after it",
          each(found, "held_after_answer_ms", lambda v: v >= 40)
          and all(r["done_us"] - r["answered_us"] >= 40_000 and r["answered_us"] > r["start_us"] for r in found),
          shown(found, "loop_ms", "held_after_answer_ms", "start_us", "answered_us", "done_us"))


def routes(server, label):
    status, listed = server.get("/__lab/routes")
    by = {(r.get("method"), r["path"]): r for r in listed["routes"]} if status == 200 else {}
    param = {p["name"]: p for p in by.get(("GET", "/price/{item_id}"), {}).get("params", [])}.get("item_id", {})
    check(f"{label} /__lab/routes from openapi: /price/{{item_id}}'s item_id an integer in the path, async",
          listed.get("source") == "openapi" and param.get("type") == "integer" and param.get("in") == "path"
          and by[("GET", "/price/{item_id}")]["is_async"], json.dumps(listed)[:300])
    q = {p["name"]: p for p in by.get(("GET", "/search"), {}).get("params", [])}.get("q", {})
    check(f"{label} /__lab/routes: /search's q a required string in the query",
          (q.get("type"), q.get("in"), q.get("required")) == ("string", "query", True), json.dumps(q))
    body = by.get(("POST", "/orders"), {}).get("body") or {}
    check(f"{label} /__lab/routes: POST /orders has a body (item_id, quantity); GET /orders none, a def",
          body.get("required") is True and set(body.get("schema", {}).get("properties", {})) == {"item_id", "quantity"}
          and by.get(("GET", "/orders"), {}).get("body", 1) is None and not by[("GET", "/orders")]["is_async"],
          json.dumps(by.get(("POST", "/orders"))))
    check(f"{label} /__lab/routes: no HEAD twins of the GET routes",
          not any(method == "HEAD" for method, _ in by))


def stats(server, label):
    server.get("/__lab/stats?reset=1")
    server.concurrently("/price/1", 4)
    settled(server, 4)  # (their tasks end a moment after their answers)
    figures = server.get("/__lab/stats")[1]
    check(f"{label} /__lab/stats: held_per_request_ms >= 70, held_where in app/vendor_sdk.py → time.sleep",
          figures.get("held_per_request_ms", -1) >= 70
          and figures.get("held_where", "").startswith("app/vendor_sdk.py:")
          and figures["held_where"].endswith("exchange_rate → time.sleep"), json.dumps(figures))


def whole_run(label, spec, app_dir=None, every_route=True, **env):
    """The shop under the probe, loaded as `spec`; every route's attribution, or (every_route
    False: an app given another way, the same code once loaded) the one route whose records show
    the package's relative imports resolved and its routes named."""
    server = Server(spec, app_dir, **env)
    if not check(f"{label}: serve.py --app {spec} prints 'listening on'", server.port is not None,
                 server.stderr()[-2000:]):
        server.kill()
        return
    status, body = server.get("/__lab/nope")
    check(f"{label}: /__lab/nope is the probe's 404, naming /__lab/requests and /__lab/routes",
          status == 404 and "/__lab/requests" in body["error"] and "/__lab/routes" in body["error"])
    if every_route:
        attributions(server, label)
        routes(server, label)
        stats(server, label)
    else:
        price(server, label)
    check(f"{label}: serve.py killed with SIGKILL: its uvicorn is gone within 2 s", server.kill())


def serve_check(spec, app_dir):
    """serve.py --app SPEC --app-dir DIR --check, done: its exit status, stdout and stderr."""
    return subprocess.run([PY, SERVE, "--app", spec, "--app-dir", app_dir, "--check"], cwd=REPO,
                          capture_output=True, text=True, timeout=60)


def refused(done, spec, *wanted):
    """A --check's outcome: exit 2, a 'your app: ' first line, and each wanted text."""
    said = done.stderr
    good = (done.returncode == 2 and said.startswith("your app: ") and all(w in said for w in wanted))
    return check(f"--check {spec}: exit 2, 'your app: ...' with {', '.join(map(repr, wanted))}",
                 good, f"exit {done.returncode}: {said[-800:]}")


def refusals():
    """serve.py --check on apps it takes and apps it refuses, and an app whose start-up never ends.
    None of it is timed but the never-starting app's 3 s, so the checks (each a Python importing
    FastAPI) run two at a time, and within those 3 s."""
    never_starts = Server("never_starts_app.py", BROKEN, wait=0)
    no_listening_before = time.monotonic() + 3
    accepted = ("app.main:app", "app/main.py", os.path.join(SHOP, "app", "main.py") + ":app")
    try:
        import flask  # noqa: F401
        wsgi = [("wsgi_app.py", BROKEN, "WSGI app (Flask)")]
    except ImportError:
        print("skip  --check wsgi_app.py: Flask is not installed (apt-get install python3-flask)")
        wsgi = []
    refusing = wsgi + [
        ("syntax_error_app.py", BROKEN, "syntax_error_app.py\", line 9", "^", "SyntaxError"),
        ("import_error_app.py", BROKEN, "shop_payments_sdk", "import_error_app.py\", line 4"),
        ("app.main:nope", SHOP, "`nope`", "app.main:NAME", "its ASGI apps: app"),
        ("app.mian:app", SHOP, "no module named 'app.mian'", SHOP),
        ("app/mian.py", SHOP, "no such file")]
    runs = [(spec, SHOP) for spec in accepted] + [r[:2] for r in refusing] + [("never_starts_app.py", BROKEN)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(lambda run: serve_check(*run), runs))
    for spec, done in zip(accepted, outcomes):
        check(f"--check {spec}: ok", done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-500:])
    for (spec, _, *wanted), done in zip(refusing, outcomes[len(accepted):]):
        refused(done, spec, *wanted)
    check("--check never_starts_app.py: ok (it imports; its start-up is what never ends)", outcomes[-1].returncode == 0)
    line = never_starts.first_line(max(0.0, no_listening_before - time.monotonic()))
    check("never_starts_app.py: no 'listening on' within 3 s", never_starts.port is None and not line)
    started = time.monotonic() + 20  # (its uvicorn running, so that there is one to see gone)
    while not children(never_starts.process.pid) and time.monotonic() < started:
        time.sleep(0.05)
    check("never_starts_app.py: serve.py killed, its uvicorn gone within 2 s", never_starts.kill())


def busy_machine():
    """/report computes 60 ms of CPU a request on the loop. With two other processes spinning on
    the machine's cores, it gets part of a core and waits in the run queue for the rest: it still
    computes, at app/pricing.py, and none of its time is the GIL's (no pool thread runs)."""
    server = Server("app.main:app", SHOP, SHOP_NO_MIDDLEWARE="1")
    spinners = [subprocess.Popen([PY, "-c", "while True: pass"]) for _ in range(os.cpu_count() or 2)]
    try:
        statuses, found = records(server, "/report")
        # /orders (def, time.sleep 100 ms): ten calls, AnyIO's pool of 40 never full. A pool
        # thread that starts late because the cores are busy is not a wait for a thread.
        _, orders = records(server, "/orders")
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()
    located = [r for r in found if r["where"] is not None]
    check("busy machine /report: each held the loop >= 45 ms, no GIL wait; the located ones (at least half) "
          "computing (cpu_share >= 0.5) in app/pricing.py",
          statuses == [200] * 10 and each(found, "loop_ms", lambda v: v >= 45)
          and each(found, "gil_wait_ms", lambda v: v == 0) and 2 * len(located) >= len(found)
          and all(r["cpu_share"] >= 0.5 and r["where"]["file"] == "app/pricing.py" for r in located),
          shown(found, "loop_ms", "gil_wait_ms", "cpu_share", "where") + " | server: " + server.stderr()[-1500:])
    check("busy machine /orders (def): no wait for a pool thread (the pool of 40 was never full)",
          len(orders) == 10 and each(orders, "pool_wait_ms", lambda v: v == 0), shown(orders, "pool_ms", "pool_wait_ms"))
    server.kill()


def full_pool():
    """The lab's `def` twin with a pool of two threads (LAB_THREADS=2): ten /delay?ms=100 at once
    go in five waves of two, so the later eight each wait 100 ms or more for a thread, and the
    median request at least 190 ms (waits 0, 0, 100, 100, 200, 200, ...)."""
    server = Server("apps:threaded", os.path.join(REPO, "lab", "reference"), LAB_THREADS="2")
    statuses, found = records(server, "/delay?ms=100")
    waited = sorted(r["pool_wait_ms"] for r in found)
    check("a pool of 2, ten 100 ms `def` calls: 8 of 10 wait >= 90 ms for a pool thread, the median >= 180 ms",
          statuses == [200] * 10 and len(waited) == 10 and all(w >= 90 for w in waited[2:])
          and median(found, "pool_wait_ms") >= 180, shown(found, "pool_ms", "pool_wait_ms"))
    status, counted = server.get("/__lab/limiters")
    check("a pool of 2: /__lab/limiters says 2 tokens, both borrowed, some waiting, >= 8 waits of >= 90 ms each",
          status == 200 and counted["tokens_total"] == 2 and counted["tokens_borrowed"] == 2
          and counted["tokens_waiting"] >= 1 and counted["token_waits"] >= 8
          and counted["token_wait_ms"] >= 90 * counted["token_waits"], str(counted))
    server.kill()


def limiters():
    """/__lab/limiters on tests/data/apps/capacity.py: twenty 100 ms requests at once to each
    route, and what each limiter says it had in use: the executor's workers all busy and the
    rest queued, the pool's 15 connections (5 + 10) all out, 19 of the 20 AnyIO tokens the app sets
    (the first request's end sees the 19 others on their threads); the counts start again at each reset; and the loop's
    longest stretch, reset apart from /__lab/stats'."""
    server = Server("capacity.py", os.path.join(REPO, "tests", "data", "apps"))
    empty = server.get("/__lab/limiters?reset=1")[1]
    check("limiters before any request: the app's 20 tokens, a pool of 15, no executor yet, nothing seen in use",
          empty["tokens_total"] == 20 and empty["pool_capacity"] == 15 and empty["executor_workers"] == -1
          and empty["tokens_borrowed"] == -1 and empty["pool_checked_out"] == -1, str(empty))
    seen = {}
    for path in ("/in_def", "/to_thread", "/pooled"):
        server.concurrently(path, 20)
        seen[path] = server.get("/__lab/limiters?reset=1")[1]
    workers = min(32, (os.cpu_count() or 1) + 4)
    check("limiters /in_def x20: 19 or 20 of 20 tokens borrowed, none waiting",
          seen["/in_def"]["tokens_borrowed"] in (19, 20) and seen["/in_def"]["tokens_waiting"] == 0, str(seen["/in_def"]))
    check(f"limiters /to_thread x20: the executor's {workers} workers all busy, the others queued, no token",
          seen["/to_thread"]["executor_workers"] == workers and seen["/to_thread"]["executor_busy"] == workers
          and seen["/to_thread"]["executor_queued"] >= 20 - workers - 1 and seen["/to_thread"]["tokens_borrowed"] == 0,
          str(seen["/to_thread"]))
    check("limiters /pooled x20: the pool's 15 connections all checked out",
          seen["/pooled"]["pool_checked_out"] == 15, str(seen["/pooled"]))
    # The loop's longest stretch, for a ramp's step: its own since its own reset, not /__lab/stats'.
    server.get("/__lab/stats?reset=1")
    server.get("/blocks")  # 100 ms of time.sleep on the loop
    blocked = server.get("/__lab/limiters?reset=1")[1]["loop_held_ms"]
    server.concurrently("/awaits", 20)
    awaited = server.get("/__lab/limiters?reset=1")[1]["loop_held_ms"]
    stats = server.get("/__lab/stats?reset=1")[1]["max_loop_blocked_ms"]
    check("limiters' loop_held_ms: /blocks >= 100 ms (and < 2 s); then /awaits x20 < 100 ms, while "
          "/__lab/stats, not reset meanwhile, still says >= 100 ms",
          100 <= blocked < 2000 and 0 <= awaited < 100 and stats >= 100, f"{blocked} {awaited} {stats}")
    server.kill()


def generator_owners():
    """The owner the ledger names for a generator of the app's, told by who iterates it: one that
    another library iterates (jinja2, a template's rows) is the code's that handed it over (here
    the route); only one Starlette iterates is a streaming answer's body. Code compiled under a
    folder of the app's and under dist-packages, so that no server's timing decides it."""
    sys.path.insert(0, os.path.join(REPO, "lab", "reference"))
    from loop_ledger import Places
    with tempfile.TemporaryDirectory() as root:
        app = {"__name__": "app"}
        exec(compile("import sys\ndef rows(places):\n    yield places.of(sys._getframe())\n"
                     "def route(places, iterate):\n    return iterate(rows(places))\n",
                     os.path.join(root, "app.py"), "exec"), app)

        def iterated_by(module):  # the generator's first row, taken by `module`'s code
            library = {"__name__": module}
            exec(compile("def iterate(rows):\n    return next(rows)\n",
                         f"/usr/lib/python3/dist-packages/{module.replace('.', '/')}.py", "exec"), library)
            return app["route"](Places(root), library["iterate"])[4:]

        by_template, by_starlette = iterated_by("jinja2.runtime"), iterated_by("starlette.responses")
    check("a generator a template iterates: the route's that handed it over", by_template == ("route", "route"),
          str(by_template))
    check("a generator Starlette iterates: a streaming answer's body", by_starlette == ("body", "rows"),
          str(by_starlette))


def main():
    try:
        import fastapi  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        print("needs python3-fastapi and python3-uvicorn (apt-get install): skipped\n0 passed, 0 failed")
        return 77
    generator_owners()
    whole_run("import string", "app.main:app", SHOP)
    whole_run("no middleware", "app.main:app", SHOP, SHOP_NO_MIDDLEWARE="1")
    # The same app given as a file inside its package: loaded by its dotted name, the same code
    # runs, so one route shows it (every route's attribution is the two runs' above).
    whole_run("file", os.path.join("scenarios", "apps", "shop", "app", "main.py"), every_route=False)
    busy_machine()
    full_pool()
    limiters()
    refusals()
    print(f"{counts['passed']} passed, {counts['failed']} failed")
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
