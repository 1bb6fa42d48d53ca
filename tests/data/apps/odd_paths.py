# Routes whose paths a request line cannot carry as they are: the doctor sends /café and /a b
# percent-encoded, so each reaches its route, and --format markdown shows the path with | and
# HTML in it escaped, so a CI job's table keeps its columns.
from fastapi import FastAPI

app = FastAPI()


@app.get("/café")
async def cafe():
    return {"route": "café"}


@app.get("/a b")
async def spaced():
    return {"route": "a b"}


@app.get("/x|<b>y</b>")
async def marked():
    return {"route": "marked"}
