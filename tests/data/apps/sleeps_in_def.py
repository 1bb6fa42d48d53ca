# The same route as a plain `def`: FastAPI runs it in its thread pool, the loop stays free.
import time

from fastapi import FastAPI

app = FastAPI()


@app.get("/work")
def work(ms: int = 100):
    time.sleep(ms / 1000)
    return "done"
