# Its start-up never finishes (waits for an event nobody sets): uvicorn never listens.
import asyncio

from fastapi import FastAPI

app = FastAPI()


@app.on_event("startup")
async def wait_for_the_database():
    await asyncio.Event().wait()


@app.get("/")
async def index():
    return {"ok": True}
