#!/usr/bin/python3
"""Start a FastAPI reference app (apps.py) or a student's ASGI app under uvicorn, as `lab serve` starts.

    python3 lab/reference/serve.py --variant blocking|awaiting|threaded|run_in_threadpool|awaiting_blocking_cache|flask
                                             |sqlalchemy_blocking|sqlalchemy_awaiting|sqlalchemy_threaded
                                   [--workers W] [--server uvicorn|gunicorn|hypercorn|daphne] [--threads T] [--host 127.0.0.1] [--port 0]
    python3 lab/reference/serve.py --app FILE.py[:ATTR]|PACKAGE.MODULE:ATTR [--app-dir DIR] [--check]
                                   [--events-to PATH] [--host 127.0.0.1] [--port 0]

It picks a free port when --port is 0, starts `python3 -m uvicorn apps:<variant>` (or, with
--server gunicorn, the documents' production set-up: `gunicorn -k uvicorn.workers.UvicornWorker
-w W`, a master process and W uvicorn workers on its one listening socket; --variant flask, the
WSGI app wsgi_app.py under gunicorn's sync workers, or its gthread workers when --threads T > 1), waits until
GET /health answers (and, with W > 1, until every worker has answered), then prints exactly one
line, `listening on http://HOST:PORT`, to stdout. Everything else goes to stderr. It exits when
uvicorn does, with uvicorn's status. Nothing it started outlives it (process_tree.py): it is the
subreaper of all that uvicorn and the app start, and on SIGINT, SIGTERM, the death of its parent
(prctl PDEATHSIG, as SIGTERM) or uvicorn's exit it asks uvicorn to stop, then kills by pid every
process left below it, and says so ("stopped 2 processes your app left: ..."). What leaves it
(an app that kills or stops serve.py) `lab` stops by the cgroup it starts serve.py in.

With --app, the student's app runs unchanged inside the lab's probe (app_probe.py: x-lab-* stamps
on each answer, GET /__lab/stats, /__lab/requests, /__lab/routes): a file (ATTR defaults to `app`;
relative to --app-dir) or an import string as uvicorn takes it (package.module:attr, imported from
--app-dir, default the current folder). One uvicorn process on the stdlib asyncio loop, in the
app's folder, with the services under the names apps use
(DATABASE_URL, DOWNSTREAM_URL, REDIS_URL) and the live marks sent to --events-to. It is ready
once GET /__lab/health answers.
Exit codes: uvicorn's own once it was listening; 1 uvicorn did not start; 2 usage, or the
student's file cannot be served (the probe's "your app: ..." line on stderr says why); 3 FastAPI
or uvicorn is not installed.
"""
import argparse
import http.client
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
VARIANTS = ("blocking", "awaiting", "threaded", "run_in_threadpool", "awaiting_blocking_cache", "flask",
            "sqlalchemy_blocking", "sqlalchemy_awaiting", "sqlalchemy_threaded")


def start_timeout_s():
    """How long an app may take to answer once started: 30 s, or LAB_START_TIMEOUT_S (1 to 30),
    which the tests set to spend 3 s, not 30, on an app whose start-up never ends."""
    try:
        return min(30, max(1, int(os.environ.get("LAB_START_TIMEOUT_S", "30"))))
    except ValueError:
        return 30


START_TIMEOUT_S = start_timeout_s()
STOP_GRACE_S = 1.0  # for uvicorn to run the app's shutdown when asked to stop; then it is killed
sys.path.insert(0, HERE)
import lifeline  # noqa: E402
import process_tree  # noqa: E402


def say(text):
    print(f"serve.py: {text}", file=sys.stderr, flush=True)


def free_port(host):
    """A port nobody listens on now (uvicorn binds it a moment later; see the retry in main)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def port_taken(host, port):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
        except OSError:
            return True
    return False


def get_json(host, port, path):
    """GET path; the JSON body on 200, else None (refused, not ready, timed out)."""
    conn = http.client.HTTPConnection(host, port, timeout=1)
    try:
        conn.request("GET", path)
        answer = conn.getresponse()
        body = answer.read()
        return json.loads(body) if answer.status == 200 else None
    except (OSError, http.client.HTTPException, ValueError):
        return None
    finally:
        conn.close()


def app_target(variant):
    """Where a variant's app lives: apps.py, or sqlalchemy_apps.py for sqlalchemy_* (its /db
    through SQLAlchemy's Session or AsyncSession)."""
    prefix = "sqlalchemy_"
    return f"sqlalchemy_apps:{variant[len(prefix):]}" if variant.startswith(prefix) else f"apps:{variant}"


def gunicorn_bind(host, port):
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def start_uvicorn(args, port):
    if args.app:
        return start_probe(args, port)
    if args.variant == "flask":  # WSGI: gunicorn's own workers, no event loop (wsgi_app.py)
        # One thread a worker is gunicorn's sync worker (a process serves one request at a time);
        # more is its gthread worker (a process serves --threads at once, one thread each).
        kind = "sync" if args.threads == 1 else "gthread"
        command = [sys.executable, "-m", "gunicorn", "--worker-class", kind, "--threads", str(args.threads),
                   "--workers", str(args.workers), "--bind", gunicorn_bind(args.host, port), "--chdir", HERE,
                   "--log-level", "warning", "wsgi_app:app"]
    elif args.server == "gunicorn":
        command = [sys.executable, "-m", "gunicorn", "--worker-class", f"loop_workers.{args.loop.capitalize()}Worker",
                   "--workers", str(args.workers), "--bind", gunicorn_bind(args.host, port), "--chdir", HERE,
                   "--log-level", "warning", app_target(args.variant)]
    elif args.server == "hypercorn":  # the other ASGI servers the documents name (004), one process
        command = [sys.executable, "-m", "hypercorn", "--bind", gunicorn_bind(args.host, port),
                   "--worker-class", args.loop, "--workers", "1", "--log-level", "warning", app_target(args.variant)]
    elif args.server == "daphne":  # (Twisted on asyncio's loop; it runs no lifespan: apps.py's start-up hooks do not run)
        command = [sys.executable, "-m", "daphne", "--bind", args.host, "--port", str(port), "-v", "0",
                   app_target(args.variant)]
    else:
        command = [sys.executable, "-m", "uvicorn", "--app-dir", HERE, app_target(args.variant),
                   "--host", args.host, "--port", str(port), "--workers", str(args.workers),
                   "--loop", args.loop, "--log-level", "warning"]
    me = os.getpid()
    return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=sys.stderr.fileno(),
                            env={**os.environ, "LAB_DIE_WITH_PARENT": str(me), "PYTHONPATH": HERE,
                                 "LAB_DATABASE_URL": args.database_url or "", "LAB_DB_POOL": str(args.db_pool),
                                 "LAB_DB_POOL_KEPT": str(args.db_pool_kept or args.db_pool),
                                 "LAB_THREADS": str(args.threads), "LAB_WORKERS": str(args.workers),
                                 "LAB_DOWNSTREAM_URL": args.downstream_url or "", "LAB_REDIS_URL": args.redis_url or ""},
                            preexec_fn=lambda: lifeline.die_with_parent(me))


def app_env(args):
    """What the probe reads: the app as given (LAB_APP: a file, relative to the folder, or an
    import string) and the folder to read it from (LAB_APP_DIR: --app-dir, default here)."""
    return {"LAB_APP": args.app, "LAB_APP_DIR": os.path.abspath(args.app_dir or ".")}


def start_probe(args, port):
    """uvicorn running the student's app inside the probe (app_probe.py), in the app's folder so
    its relative paths work (the probe moves to the package's root for a file inside a package).
    --loop asyncio: the probe times the stdlib loop's callbacks and selector."""
    command = [sys.executable, "-m", "uvicorn", "--app-dir", HERE, "app_probe:app", "--loop", "asyncio",
               "--host", args.host, "--port", str(port), "--workers", "1", "--log-level", "warning"]
    if args.no_lifespan:
        command += ["--lifespan", "off"]  # (its routes read, its start-up never run: `lab doctor --list`)
    services = {"DATABASE_URL": args.database_url, "DOWNSTREAM_URL": args.downstream_url,
                "REDIS_URL": args.redis_url, "LAB_EVENTS_TO": args.events_to}
    me, folder = os.getpid(), app_env(args)["LAB_APP_DIR"]
    return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=sys.stderr.fileno(),
                            cwd=folder if os.path.isdir(folder) else None,  # (else the probe says so)
                            env={**os.environ, "LAB_DIE_WITH_PARENT": str(me), **app_env(args),
                                 **{name: value for name, value in services.items() if value},
                                 **({"LAB_HOLD_MS": str(args.hold_ms)} if args.hold_ms else {})},
                            preexec_fn=lambda: lifeline.die_with_parent(me))


def check_app(args):
    """Import the student's app inside the probe, here, as uvicorn would: `lab run --app` and
    `lab exercise check` refuse an app that cannot be served before they start anything."""
    os.environ.update(app_env(args))
    os.environ["LAB_ATTRIBUTION"] = "0"  # (nothing to time: patch nothing)
    import app_probe  # noqa: F401  (refuses with "your app: ..." and exit 2)
    print("ok", flush=True)
    return 0


def wait_until_listening(uvicorn, args, port):
    """None once /health answers (and each of W workers has answered /), else why not.
    A student's app (--app) answers the probe's /__lab/health."""
    host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(args.host, args.host)
    deadline = time.monotonic() + START_TIMEOUT_S
    workers_seen, started_workers = set(), 0
    while time.monotonic() < deadline:
        status = uvicorn.poll()
        if status is not None:
            return f"uvicorn exited with status {status} before listening"
        if args.workers > 1:
            # uvicorn's supervisor (or gunicorn's master) outlives workers that fail to load the
            # app, so count them.
            # (multiprocessing's resource tracker is one more child, which stays.)
            alive = len(process_tree.children(uvicorn.pid))
            started_workers = max(started_workers, alive)
            if started_workers >= args.workers and alive < started_workers:
                return "a uvicorn worker exited before listening"
        if get_json(host, port, "/__lab/health" if args.app else "/health") == {"status": "ok"}:
            if args.workers == 1:
                return None
            answer = get_json(host, port, "/") or {}
            workers_seen.add(answer.get("worker_id"))
            if len(workers_seen - {None}) >= args.workers:
                return None
            continue
        time.sleep(0.02)
    if workers_seen - {None}:
        say(f"only {len(workers_seen - {None})} of {args.workers} workers answered; going on")
        return None
    if args.app:
        return f"your app did not answer within {START_TIMEOUT_S} s"
    return f"uvicorn did not answer /health within {START_TIMEOUT_S} s"


class Stopping(Exception):
    """SIGTERM or SIGINT: `lab` stops this server, or has died (PDEATHSIG); args[0] is the signal."""


def stop_on_signals():
    def stop(number, frame):
        for sig in (signal.SIGINT, signal.SIGTERM):  # (the group's signal and PDEATHSIG's may both come)
            signal.signal(sig, signal.SIG_IGN)
        raise Stopping(number)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, stop)


def stop_tree(started, args):
    """Each uvicorn asked to stop (SIGTERM: the app's shutdown runs) for up to STOP_GRACE_S, then
    killed; then every process still below this one (what the app started, however it left its
    parent) killed by pid, and said."""
    for uvicorn in started:
        if uvicorn.poll() is None:
            uvicorn.terminate()
            try:
                uvicorn.wait(timeout=STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                uvicorn.kill()
                uvicorn.wait()
    if not process_tree.own_proc():  # (as the namespace's first process, its exit ends them all)
        say("your app unmounted its /proc: what it left is not named here; it ends with this "
            "server's PID namespace")
        return
    left = process_tree.end_all()
    if left:
        say(process_tree.said(left, "your app" if args.app else app_target(args.variant)))


def serve(args, started):
    """uvicorn started (each one in `started`) and waited for: its status once it was listening,
    1 if it did not start, 2 if the probe refused the student's app."""
    for attempt in range(3):
        port = args.port or free_port(args.host)
        uvicorn = start_uvicorn(args, port)
        started.append(uvicorn)
        why = wait_until_listening(uvicorn, args, port)
        if why is None:
            break
        if uvicorn.poll() is None:
            uvicorn.kill()
        if uvicorn.wait() == 2 and args.app:
            return 2  # the probe refused the student's file and said why ("your app: ...")
        if args.port == 0 and port_taken(args.host, port) and attempt < 2:
            say(f"port {port} was taken meanwhile; trying another")  # the bind-then-pass race
            continue
        if args.app:
            say(f"{why} (uvicorn of {args.app} on {args.host}:{port})")
        else:
            say(f"{why} ({args.server} of {app_target(args.variant)} in {HERE}, "
                f"on {args.host}:{port}, {args.workers} worker(s))")
        return 1

    shown = f"[{args.host}]" if ":" in args.host else args.host
    print(f"listening on http://{shown}:{port}", flush=True)
    status = uvicorn.wait()
    return status if status >= 0 else 128 - status


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--variant", choices=VARIANTS, help="one of the lab's reference apps (apps.py)")
    which.add_argument("--app", metavar="FILE.py[:ATTR]|MODULE:ATTR",
                       help="a student's own ASGI app, inside the lab's probe: a file (ATTR defaults to app)"
                            " or an import string package.module:attr, as uvicorn takes it")
    parser.add_argument("--app-dir", metavar="DIR",
                        help="--app: the folder the app is read from, as uvicorn's --app-dir (default: here)")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (1..64)")
    parser.add_argument("--server", choices=("uvicorn", "gunicorn", "hypercorn", "daphne"), default="uvicorn",
                        help="uvicorn alone, gunicorn's master with uvicorn workers, or hypercorn or daphne alone")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--database-url",
                        help="/db queries this PostgreSQL (postgresql://...); --app: DATABASE_URL")
    parser.add_argument("--db-pool", type=int, default=10, help="/db: connections per worker (1..100)")
    parser.add_argument("--db-pool-kept", type=int, default=0,
                        help="/db through SQLAlchemy: of --db-pool, how many its pool keeps (pool_size; the rest, max_overflow,"
                             " are opened for a burst); 0: all of them (the scenario's db_pool_kept)")
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), default="asyncio",
                        help="the event loop: the stdlib's asyncio, or uvloop (python3-uvloop); never chosen by what is installed")
    parser.add_argument("--threads", type=int, default=40,
                        help="the thread pool's limit for `def` routes (1..10000; AnyIO's default is 40);"
                             " --variant flask: threads per gunicorn worker (1: sync workers, more: gthread)")
    parser.add_argument("--downstream-url",
                        help="/fetch calls this server's /delay (http://IP:PORT); --app: DOWNSTREAM_URL")
    parser.add_argument("--redis-url",
                        help="/cache asks this Redis (unix:///PATH or redis://IP:PORT); --app: REDIS_URL")
    parser.add_argument("--check", action="store_true",
                        help="--app: only import the app as uvicorn would, print ok and exit (2 with the reason if it cannot)")
    parser.add_argument("--hold-ms", type=float, default=0, help="--app: a hold this long is located (default 20)")
    parser.add_argument("--no-lifespan", action="store_true", help="--app: run none of its start-up and shutdown")
    parser.add_argument("--events-to", metavar="PATH",
                        help="--app: each request's live marks go to this unix datagram socket (@NAME: abstract)")
    args = parser.parse_args()
    if not 1 <= args.workers <= 64 or not 0 <= args.port <= 65535 or not 1 <= args.db_pool <= 100 \
            or not 0 <= args.db_pool_kept <= args.db_pool or not 1 <= args.threads <= 10000:
        parser.error("--workers must be 1..64, --port 0..65535, --db-pool 1..100, --db-pool-kept 0..--db-pool"
                     " and --threads 1..10000")
    if args.server in ("hypercorn", "daphne") and (args.workers != 1 or args.loop != "asyncio" and args.server == "daphne"):
        parser.error("--server hypercorn and daphne run one process (--workers 1); daphne runs asyncio's loop only")
    if args.app and (args.workers != 1 or args.server != "uvicorn"):
        parser.error("--app runs one uvicorn process: --workers 1 and --server uvicorn only")
    if (args.events_to or args.app_dir) and not args.app:
        parser.error("--events-to and --app-dir go with --app")

    # (A student's app need not use FastAPI; if it does and it is missing, its import says so.)
    needed = ("uvicorn",) if args.app else ("flask", "gunicorn") if args.variant == "flask" else ("fastapi", "uvicorn")
    needed += ("sqlalchemy", "greenlet") if (args.variant or "").startswith("sqlalchemy_") else ()
    needed += (args.server,) if args.server in ("gunicorn", "hypercorn", "daphne") else ()
    needed += ("uvloop",) if args.loop == "uvloop" else ()
    missing = [m for m in needed if importlib.util.find_spec(m) is None]
    if missing:
        say(f"{' and '.join(missing)} not importable by {sys.executable} "
            "(Debian: apt-get install python3-fastapi python3-uvicorn gunicorn python3-uvloop python3-flask"
            " python3-hypercorn python3-daphne python3-sqlalchemy python3-greenlet)")
        return 3

    if args.check:
        return check_app(args)
    # Lab's death reaches this process as SIGTERM (not SIGKILL), so that it can stop what it started.
    lifeline.die_with_parent(sig=signal.SIGTERM)
    process_tree.become_subreaper()  # (all that uvicorn starts stays below this process)
    stop_on_signals()
    started = []
    try:
        return serve(args, started)
    except Stopping as stopping:
        return 128 + stopping.args[0]
    finally:
        stop_tree(started, args)


if __name__ == "__main__":
    sys.exit(main())
