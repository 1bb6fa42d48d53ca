#!/usr/bin/python3
"""An RQ worker (python3-rq) for the reference apps' /jobs, or for a student's app, with the
start-up protocol of `lab worker`.

    python3 lab/reference/rq_worker.py --redis-url unix:///PATH/redis.sock
    python3 lab/reference/rq_worker.py --redis-url URL --every-queue --app main.py --app-dir DIR

It takes jobs from RQ's queue "lab" on that Redis, one at a time, each in a forked work horse,
as `rq worker lab` does. With --every-queue it takes them from every queue RQ has made on that
Redis, whatever the app named them (RQ's set rq:queues, read anew before each wait, so a queue
made after the worker started is served too), and imports the jobs' functions from the app's
folder (--app and --app-dir as `lab run --app` takes them: the folder uvicorn imports it from),
with REDIS_URL set as the app has it. Once it is ready it prints one line to stdout, "taking
jobs from URL as NAME"; everything else goes to stderr. It and each work horse die with their
parent (prctl PDEATHSIG); SIGINT and SIGTERM are RQ's own warm shutdown. Exit codes: 2 usage; 3
RQ or redis-py is not installed.
"""
import argparse
import importlib.util
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)  # the jobs' module, work.py, is imported by name
import lifeline  # noqa: E402
from app_spec import app_module  # noqa: E402

QUEUE = "lab"
LOOK_AGAIN_S = 0.1  # --every-queue: how long a wait for a job lasts before the queues are read again


def every_queue_worker(rq):
    """A Worker of every queue on its Redis, whose work horses die with it."""
    from rq.exceptions import DequeueTimeout
    from rq.worker import WorkerStatus

    class EveryQueueWorker(rq.Worker):
        def known_queues(self):
            prefix = rq.Queue.redis_queue_namespace_prefix
            keys = sorted(key.decode() for key in self.connection.smembers(rq.Queue.redis_queues_keys))
            return [rq.Queue(key[len(prefix):], connection=self.connection) for key in keys]

        def dequeue_job_and_maintain_ttl(self, timeout):
            # RQ's own waits on the queues it was given; this one reads them anew every LOOK_AGAIN_S.
            self.set_state(WorkerStatus.IDLE)
            while True:
                self.heartbeat()
                if self.should_run_maintenance_tasks:
                    self.run_maintenance_tasks()
                self.queues = self.known_queues()
                self._ordered_queues = self.queues[:]
                if not self.queues:  # no app has enqueued anything yet
                    time.sleep(LOOK_AGAIN_S)
                    continue
                try:
                    result = self.queue_class.dequeue_any(self._ordered_queues, LOOK_AGAIN_S, connection=self.connection,
                                                          job_class=self.job_class, serializer=self.serializer)
                except DequeueTimeout:
                    continue
                if result is not None:
                    result[0].redis_server_version = self.get_redis_server_version()
                self.heartbeat()
                return result

        def main_work_horse(self, job, queue):
            # RQ moves each horse to a session of its own, out of the lab's process group: tie it
            # to its worker, so that a student's job outlives no worker.
            lifeline.die_with_parent()
            return super().main_work_horse(job, queue)

    return EveryQueueWorker


def import_app(spec, folder):
    """The jobs' functions are found as the app finds its modules, from its root. Its module is
    imported here once, before any job: each work horse, forked from this process, then has it,
    where `rq worker` has each horse import it anew (a tenth of a second per job, here). A module
    that fails to import is said on stderr, and each job then fails with the same error."""
    try:
        root, module = app_module(spec, folder)
    except ValueError as error:
        print(f"rq_worker.py: {error}", file=sys.stderr)
        return False
    sys.path.insert(0, root)
    os.chdir(root)
    try:
        importlib.import_module(module)
    except (Exception, SystemExit) as error:
        print(f"rq_worker.py: {module} failed to import ({error!r}); its jobs will fail alike", file=sys.stderr)
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--redis-url", required=True, help="unix:///PATH or redis://IP:PORT")
    parser.add_argument("--every-queue", action="store_true", help="take jobs from every RQ queue on that Redis")
    parser.add_argument("--app", help="--every-queue: the app whose jobs these are (main.py[:app] or package.module:app)")
    parser.add_argument("--app-dir", default=".", help="the folder --app is read from, as `lab run --app-dir`")
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
    if args.every_queue:
        os.environ["REDIS_URL"] = args.redis_url
        if args.app and not import_app(args.app, args.app_dir):
            return 2
        worker = every_queue_worker(rq)([], connection=connection)
    else:
        worker = rq.Worker([rq.Queue(QUEUE, connection=connection)], connection=connection)
    print(f"taking jobs from {args.redis_url} as {worker.name}", flush=True)
    worker.work(logging_level="WARNING")
    return 0


if __name__ == "__main__":
    sys.exit(main())
