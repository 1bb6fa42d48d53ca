# blocking-sleep "fixed" by deleting the wait: the loop is free and the requests are fast, but the
# route no longer waits for its partner. The grade must fail it, saying so.
from fastapi import FastAPI

app = FastAPI()


@app.get("/work")
async def work(ms: int = 100):
    return {"done": True, "waited_ms": ms}  # the slow partner, gone
