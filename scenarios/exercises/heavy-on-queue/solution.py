# Exercise heavy-on-queue, the lab's answer: the route only enqueues the job on Redis (RQ) and
# answers 202 with the job's id; a worker (`rq worker --url $REDIS_URL`, started beside this file
# so it can import it) computes it and keeps the result, which GET {path}/ID reports.
import hashlib
import os
import time

from fastapi import FastAPI
from redis import Redis
from rq import Queue
from rq.job import Job

app = FastAPI()
redis = Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379"))
queue = Queue("reports", connection=redis)


def build_report(ms: int) -> str:
    """The heavy work: about `ms` of CPU, now run by a queue worker."""
    digest = b"report"
    until = time.thread_time() + ms / 1000
    while time.thread_time() < until:
        digest = hashlib.sha256(digest).digest()
    return digest.hex()[:16]


@app.post("{path}", status_code=202)
def reports():  # def: even Redis's millisecond is waited for in the pool, not on the loop
    job = queue.enqueue("main.build_report", {d_ms})
    return {"job": job.id, "poll": f"{path}/{job.id}"}


@app.get("{path}/{job_id}")
def report_state(job_id: str):
    job = Job.fetch(job_id, connection=redis)
    return {"job": job.id, "state": job.get_status(), "report": job.result}
