# blocking-sleep "fixed" with asyncio.sleep, never awaited: the coroutine is made and dropped, so
# nothing waits (Python warns "coroutine 'sleep' was never awaited" on stderr). The grade must fail it.
import asyncio

from fastapi import FastAPI

app = FastAPI()


@app.get("/work")
async def work(ms: int = 100):
    asyncio.sleep(ms / 1000)  # the await forgotten
    return {"done": True, "waited_ms": ms}
