# Exercise requests-in-async, the lab's answer: httpx's async client, awaited, one for the app.
# The loop serves other requests while the partner works. (A plain `def` route with requests passes too.)
import os

import httpx
from fastapi import FastAPI

app = FastAPI()
PARTNER = os.environ.get("DOWNSTREAM_URL", "http://127.0.0.1:8001")
client = httpx.AsyncClient(timeout=30)


@app.get("{path}")
async def weather():
    answer = await client.get(f"{PARTNER}/delay", params={"ms": {d_ms}})  # awaited: the loop is free meanwhile
    return {"partner_status": answer.status_code}
