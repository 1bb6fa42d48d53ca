# Exercise blocking-sleep: a route that waits for a slow partner (here simply {d_ms} ms).
# Run it: /usr/bin/python3 -m uvicorn main:app    Grade it: lab exercise check blocking-sleep .
import time

from fastapi import FastAPI

app = FastAPI()


@app.get("{path}")
async def work():
    time.sleep({d})  # the slow partner: {d_ms} ms
    return {"done": True, "waited_ms": {d_ms}}
