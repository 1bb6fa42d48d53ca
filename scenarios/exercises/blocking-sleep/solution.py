# Exercise blocking-sleep, the lab's answer: the route awaits its wait, so the loop serves the
# other requests meanwhile. (A plain `def work` with time.sleep passes too: the thread pool waits.)
import asyncio

from fastapi import FastAPI

app = FastAPI()


@app.get("{path}")
async def work():
    await asyncio.sleep({d})  # the slow partner ({d_ms} ms), awaited: the loop is free while it waits
    return {"done": True, "waited_ms": {d_ms}}
