# blocking-sleep fixed right, the wait run in a thread: asyncio.to_thread's default executor has
# min(32, os.cpu_count() + 4) threads, so more requests than that wait in waves. It passes.
import asyncio
import time

from fastapi import FastAPI

app = FastAPI()


@app.get("/work")
async def work(ms: int = 100):
    await asyncio.to_thread(time.sleep, ms / 1000)  # the slow partner, waited for in a thread
    return {"done": True, "waited_ms": ms}
