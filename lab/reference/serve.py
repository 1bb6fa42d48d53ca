#!/usr/bin/python3
"""Start one FastAPI reference app (apps.py) under uvicorn, with the start-up protocol of `lab serve`.

    python3 lab/reference/serve.py --variant blocking|awaiting|threaded|run_in_threadpool
                                   [--workers W] [--server uvicorn|gunicorn] [--host 127.0.0.1] [--port 0]

It picks a free port when --port is 0, starts `python3 -m uvicorn apps:<variant>` (or, with
--server gunicorn, the documents' production set-up: `gunicorn -k uvicorn.workers.UvicornWorker
-w W`, a master process and W uvicorn workers on its one listening socket), waits until
GET /health answers (and, with W > 1, until every worker has answered), then prints exactly one
line, `listening on http://HOST:PORT`, to stdout. Everything else goes to stderr. It dies with
its parent (prctl PDEATHSIG), and so do uvicorn and its workers; SIGINT and SIGTERM are passed
on to uvicorn, and it exits when uvicorn does, with uvicorn's status.
Exit codes: uvicorn's own once it was listening; 1 uvicorn did not start; 2 usage; 3 FastAPI or
uvicorn is not installed.
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
VARIANTS = ("blocking", "awaiting", "threaded", "run_in_threadpool")
START_TIMEOUT_S = 30
sys.path.insert(0, HERE)
import lifeline  # noqa: E402


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


def live_children(pid):
    """The processes whose parent is `pid`, zombies left out (uvicorn's --workers processes)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry))
    return found


def start_uvicorn(args, port):
    if args.server == "gunicorn":
        bind = f"[{args.host}]:{port}" if ":" in args.host else f"{args.host}:{port}"
        command = [sys.executable, "-m", "gunicorn", "--worker-class", "uvicorn.workers.UvicornWorker",
                   "--workers", str(args.workers), "--bind", bind, "--chdir", HERE,
                   "--log-level", "warning", f"apps:{args.variant}"]
    else:
        command = [sys.executable, "-m", "uvicorn", "--app-dir", HERE, f"apps:{args.variant}",
                   "--host", args.host, "--port", str(port), "--workers", str(args.workers),
                   "--log-level", "warning"]
    me = os.getpid()
    return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=sys.stderr.fileno(),
                            env={**os.environ, "LAB_DIE_WITH_PARENT": str(me),
                                 "LAB_DATABASE_URL": args.database_url or "", "LAB_DB_POOL": str(args.db_pool),
                                 "LAB_DOWNSTREAM_URL": args.downstream_url or "", "LAB_REDIS_URL": args.redis_url or ""},
                            preexec_fn=lambda: lifeline.die_with_parent(me))


def wait_until_listening(uvicorn, args, port):
    """None once /health answers (and each of W workers has answered /), else why not."""
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
            alive = len(live_children(uvicorn.pid))
            started_workers = max(started_workers, alive)
            if started_workers >= args.workers and alive < started_workers:
                return "a uvicorn worker exited before listening"
        if get_json(host, port, "/health") == {"status": "ok"}:
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
    return f"uvicorn did not answer /health within {START_TIMEOUT_S} s"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variant", required=True, choices=VARIANTS)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (1..64)")
    parser.add_argument("--server", choices=("uvicorn", "gunicorn"), default="uvicorn",
                        help="uvicorn alone, or gunicorn's master with uvicorn workers")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--database-url", help="/db queries this PostgreSQL (postgresql://...)")
    parser.add_argument("--db-pool", type=int, default=10, help="/db: connections per worker (1..100)")
    parser.add_argument("--downstream-url", help="/fetch calls this server's /delay (http://IP:PORT)")
    parser.add_argument("--redis-url", help="/cache asks this Redis (unix:///PATH or redis://IP:PORT)")
    args = parser.parse_args()
    if not 1 <= args.workers <= 64 or not 0 <= args.port <= 65535 or not 1 <= args.db_pool <= 100:
        parser.error("--workers must be 1..64, --port 0..65535 and --db-pool 1..100")

    needed = ("fastapi", "uvicorn") + (("gunicorn",) if args.server == "gunicorn" else ())
    missing = [m for m in needed if importlib.util.find_spec(m) is None]
    if missing:
        say(f"{' and '.join(missing)} not importable by {sys.executable} "
            "(Debian: apt-get install python3-fastapi python3-uvicorn gunicorn)")
        return 3

    lifeline.die_with_parent()
    for attempt in range(3):
        port = args.port or free_port(args.host)
        uvicorn = start_uvicorn(args, port)
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda number, frame: uvicorn.send_signal(number))
        why = wait_until_listening(uvicorn, args, port)
        if why is None:
            break
        if uvicorn.poll() is None:
            uvicorn.kill()
        uvicorn.wait()
        if args.port == 0 and port_taken(args.host, port) and attempt < 2:
            say(f"port {port} was taken meanwhile; trying another")  # the bind-then-pass race
            continue
        say(f"{why} ({args.server} of apps:{args.variant} in {HERE}, "
            f"on {args.host}:{port}, {args.workers} worker(s))")
        return 1

    shown = f"[{args.host}]" if ":" in args.host else args.host
    print(f"listening on http://{shown}:{port}", flush=True)
    status = uvicorn.wait()
    return status if status >= 0 else 128 - status


if __name__ == "__main__":
    sys.exit(main())
