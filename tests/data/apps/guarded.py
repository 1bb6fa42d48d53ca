"""An app the doctor can judge nothing of by itself: a POST route, a route behind a header token
and one behind a cookie; its start-up writes a file beside it (which `lab doctor --list` must not
run). tests/doctor_test.cpp."""
import os

from fastapi import Cookie, FastAPI, Header, HTTPException

app = FastAPI()


@app.on_event("startup")
async def boot():
    with open(os.environ["GUARDED_STARTED"], "w") as mark:
        mark.write("started")


@app.post("/items")
async def create():
    return {}


@app.get("/secret")
async def secret(x_token: str = Header()):
    if x_token != "s3cret":
        raise HTTPException(status_code=401)
    return {"ok": True}


@app.get("/session")
async def session(sid: str = Cookie()):
    if sid != "abc":
        raise HTTPException(status_code=401)
    return {"ok": True}
