"""The shop's first API, kept running under /legacy as an app of its own."""
import asyncio

from fastapi import FastAPI

app = FastAPI(title="legacy")


@app.get("/status")
async def status():
    await asyncio.sleep(0.04)  # "await `asyncio.sleep(...)` in `status` in place of `time.sleep(...)`"
    return {"legacy": True}
