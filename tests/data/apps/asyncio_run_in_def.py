"""requests-in-async, fixed in a shape students find: a `def` route (on AnyIO's pool) that runs an
event loop of its own for httpx's async client. Each request builds a loop and a client (ms
ms of its own beyond d), yet all wait for the partner together and the server's loop stays free:
a right answer, graded so, never "one after another"."""
import asyncio
import os

import httpx
from fastapi import FastAPI

app = FastAPI()
PARTNER = os.environ.get("DOWNSTREAM_URL", "http://127.0.0.1:8001")


async def ask(ms):
    async with httpx.AsyncClient(timeout=30, verify=False) as client:  # (http: no CA bundle read)
        return await client.get(f"{PARTNER}/delay", params={"ms": ms})


@app.get("/weather")
def weather(ms: int = 100):
    answer = asyncio.run(ask(ms))
    return {"partner_status": answer.status_code}
