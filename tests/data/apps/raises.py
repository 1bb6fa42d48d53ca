# Raises on every request: uvicorn answers 500, and the traceback goes to the app's stderr.
from fastapi import FastAPI

app = FastAPI()


@app.get("/delay")
async def delay(ms: int = 100):
    raise ValueError("a bug in the route")
