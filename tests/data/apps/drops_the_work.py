# heavy-on-queue "fixed" by answering 202 at once and enqueuing nothing: the answers are fast and
# the loop is free, but no report is ever built. The grade must fail it, saying so.
import uuid

from fastapi import FastAPI

app = FastAPI()


@app.post("/reports", status_code=202)
async def reports(ms: int = 200):
    job = uuid.uuid4().hex  # a job's id, for a job that is never queued
    return {"job": job, "poll": f"/reports/{job}"}
