#!/usr/bin/python3
"""An RQ worker (python3-rq) for the reference apps' /jobs, with the start-up protocol of `lab worker`.

    python3 lab/reference/rq_worker.py --redis-url unix:///PATH/redis.sock

It takes jobs from RQ's queue "lab" on that Redis, one at a time, each in a forked work horse,
as `rq worker lab` does. Once it is ready it prints one line to stdout, "taking jobs from URL as
NAME"; everything else goes to stderr. It dies with its parent (prctl PDEATHSIG); SIGINT and
SIGTERM are RQ's own warm shutdown. Exit codes: 2 usage; 3 RQ or redis-py is not installed.
"""
import argparse
import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)  # the jobs' module, work.py, is imported by name
import lifeline  # noqa: E402

QUEUE = "lab"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--redis-url", required=True, help="unix:///PATH or redis://IP:PORT")
    args = parser.parse_args()
    missing = [m for m in ("rq", "redis") if importlib.util.find_spec(m) is None]
    if missing:
        print(f"rq_worker.py: {' and '.join(missing)} not importable by {sys.executable} "
              "(Debian: apt-get install python3-rq python3-redis)", file=sys.stderr)
        return 3
    lifeline.die_with_parent()
    import redis
    import rq

    connection = redis.Redis.from_url(args.redis_url)
    worker = rq.Worker([rq.Queue(QUEUE, connection=connection)], connection=connection)
    print(f"taking jobs from {args.redis_url} as {worker.name}", flush=True)
    worker.work(logging_level="WARNING")
    return 0


if __name__ == "__main__":
    sys.exit(main())
