# Exercise blocking-sleep, the lab's answer: the route awaits its wait, so the loop serves the
# other requests meanwhile. (A plain `def work` with time.sleep passes too: the thread pool waits.)
import asyncio

from fastapi import FastAPI

app = FastAPI()


@app.get("/work")
async def work(ms: int = 100):
    await asyncio.sleep(ms / 1000)  # the slow partner, awaited: the loop is free while it waits
    return {"done": True, "waited_ms": ms}
