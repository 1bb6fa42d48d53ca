# Dies on its third request (os._exit: uvicorn cannot catch it), as an app with a fatal bug would.
import os

from fastapi import FastAPI

app = FastAPI()
served = 0


@app.get("/delay")
async def delay(ms: int = 100):
    global served
    served += 1
    if served >= 3:
        os._exit(3)
    return {"served": served}
