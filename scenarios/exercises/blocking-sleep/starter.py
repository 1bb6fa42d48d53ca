# Exercise blocking-sleep: a route that waits for a slow partner (here simply 100 ms).
# Run it: /usr/bin/python3 -m uvicorn main:app    Grade it: lab exercise check blocking-sleep .
import time

from fastapi import FastAPI

app = FastAPI()


@app.get("/work")
async def work(ms: int = 100):
    time.sleep(ms / 1000)  # the slow partner
    return {"done": True, "waited_ms": ms}
