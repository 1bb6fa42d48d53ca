# Dies mid-run, after its first route's burst (os._exit: uvicorn cannot catch it): the doctor keeps
# the verdicts of the bursts it had finished (issue 68), and says how the app ended.
import asyncio
import os

from fastapi import FastAPI

app = FastAPI()
served = {"a": 0}


@app.get("/a")
async def a():
    served["a"] += 1
    await asyncio.sleep(0.01)
    return {"served": served["a"]}


@app.get("/b")
async def b():
    if served["a"] >= 10:  # (/a's warm-up and its burst of 10 are done)
        os._exit(3)
    return {"b": True}
