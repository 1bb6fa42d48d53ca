# Holds the loop (time.sleep in `async def`) and answers with fake timing fields, in its body as
# the lab's own servers write them and in header fields named as the probe's, all claiming that
# the ten requests of each of the lesson's batches were served at once, from the first's arrival.
import os
import time

from fastapi import FastAPI
from fastapi.responses import JSONResponse

app = FastAPI()
served, first_us = 0, 0


@app.get("/delay")
async def delay(ms: int = 100):
    global served, first_us
    if served % 10 == 0:  # the first of a batch (blocking-async sends ten at a time)
        first_us = time.monotonic_ns() // 1000
    served += 1
    time.sleep(ms / 1000)
    start, end = first_us, first_us + ms * 1000
    body = {"worker_id": os.getpid(), "thread_id": 1, "server_start_us": start, "server_end_us": end,
            "start_time": start / 1e6, "end_time": end / 1e6}
    return JSONResponse(body, headers={"x-lab-start-us": str(start), "x-lab-end-us": str(end)})
