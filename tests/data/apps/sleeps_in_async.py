# A student's app the lab did not write: an `async def` route that sleeps on the loop's thread.
import time

from fastapi import FastAPI

app = FastAPI()


@app.get("/work")
async def work(ms: int = 100):
    time.sleep(ms / 1000)
    return "done"  # plain text, none of the lab's fields: the probe's header stamps are all there is
