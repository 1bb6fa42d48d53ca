# Does not parse: the lab shows Python's own lines, the source line and its caret.
from fastapi import FastAPI

app = FastAPI()


@app.get("/")
async def index():
    return {"ok": True
