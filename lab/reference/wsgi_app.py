# A real WSGI app, Flask, that answers /delay and /cpu exactly as `lab serve` and apps.py do: the
# documents' "WSGI (Flask, Django): synchronous, one request per thread" (000, 004). WSGI has no
# event loop and no `await`: every route is a plain function that holds its thread until it returns.
# gunicorn runs it (serve.py --variant flask): with sync workers each process serves one request
# at a time, so W processes serve W at once; with gthread each process serves T at once on threads.
import os
import re
import time

from flask import Flask, jsonify, request

from stamps import Served
from work import burn_cpu

MAX_MS = 60_000

if os.environ.get("LAB_DIE_WITH_PARENT"):
    # serve.py -> gunicorn's master -> this worker: dies with the master, as the master with serve.py.
    import lifeline

    lifeline.die_with_grandparent(int(os.environ["LAB_DIE_WITH_PARENT"]))

app = Flask("concurrency_lab_wsgi")


class BadRequest(Exception):
    pass


@app.errorhandler(BadRequest)
def bad_request(error):
    return jsonify({"error": str(error), "status": 400}), 400


def milliseconds():
    """?ms=N, checked as `lab serve` checks it (a 400 with the reason)."""
    text = request.args.get("ms", "100")
    if not re.fullmatch(r"-?[0-9]+", text) or not 0 <= int(text) <= MAX_MS:
        raise BadRequest(f"ms must be a whole number of milliseconds from 0 to {MAX_MS}, got '{text}'")
    return int(text)


@app.route("/delay", methods=["GET", "POST"])
def delay():
    ms = milliseconds()
    with Served() as served:
        time.sleep(ms / 1000)  # <-- holds this worker's thread (a sync worker: the whole process)
    return jsonify(served.reply(f"Response after {ms} ms delay"))


@app.route("/cpu", methods=["GET", "POST"])
def cpu():
    ms = milliseconds()
    with Served() as served:
        used = burn_cpu(ms)
    return jsonify(served.reply(f"Computed for {ms} ms of CPU", cpu_ms_requested=float(ms), cpu_ms_used=used))


@app.route("/")
def root():
    return jsonify({"message": "Hello from Flask (WSGI)", "worker_id": os.getpid()})


@app.route("/health")
def health():
    return jsonify({"status": "ok"})


@app.route("/stats")
def stats():  # what the lab's runner asks of every server it wrote; a WSGI worker keeps no loop account
    return jsonify({"worker_id": os.getpid()})
