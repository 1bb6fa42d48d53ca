# Exercise heavy-on-queue: a route that builds a report (about {d_ms} ms of computing) before it answers.
# The lab gives a Redis's address as REDIS_URL. Grade it: lab exercise check heavy-on-queue .
import hashlib
import time

from fastapi import FastAPI

app = FastAPI()


def build_report(ms: int) -> str:
    """The heavy work: about `ms` of CPU."""
    digest = b"report"
    until = time.thread_time() + ms / 1000
    while time.thread_time() < until:
        digest = hashlib.sha256(digest).digest()
    return digest.hex()[:16]


@app.post("{path}")
async def reports():
    return {"report": build_report({d_ms})}
