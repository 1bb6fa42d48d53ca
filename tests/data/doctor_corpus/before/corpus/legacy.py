"""The shop's first API, kept running under /legacy as an app of its own."""
import time

from fastapi import FastAPI

app = FastAPI(title="legacy")


@app.get("/status")
async def status():
    time.sleep(0.04)  # asks the old inventory service, blocking
    return {"legacy": True}
