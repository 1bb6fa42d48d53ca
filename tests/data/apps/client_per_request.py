"""requests-in-async, fixed as students often fix it: httpx's async client, awaited,
but one made for every request (building it, an SSL context, holds the loop about 20 ms)."""
import os
import httpx
from fastapi import FastAPI

app = FastAPI()
PARTNER = os.environ.get("DOWNSTREAM_URL", "http://127.0.0.1:8001")


@app.get("/weather")
async def weather(ms: int = 100):
    async with httpx.AsyncClient(timeout=30) as client:  # one per request
        answer = await client.get(f"{PARTNER}/delay", params={"ms": ms})
    return {"partner_status": answer.status_code}
