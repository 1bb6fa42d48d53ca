# One route that answers, one that fails, an OAuth2 password login that takes a form, and a route
# that declares no body but reads one as sent, with the Content-Type it was sent with: lab doctor's
# gate fails on the one that fails unless --examples skips it, and --examples sends forms and bodies.
import asyncio

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordRequestForm

app = FastAPI()


@app.get("/ok")
async def ok():
    return {"ok": True}


@app.get("/broken")
async def broken():
    raise ValueError("a bug in the route")


@app.post("/login")
def login(form: OAuth2PasswordRequestForm = Depends()):
    return {"access_token": form.username, "token_type": "bearer"}


@app.post("/raw")
async def raw(request: Request):
    kind, body = request.headers.get("content-type"), await request.body()
    if kind != "text/csv" or body != b"a,b\n1,2\n":
        return JSONResponse({"got": kind, "body": body.decode()}, status_code=400)
    return {"rows": 1}


IN_FLIGHT = [0]


@app.get("/fragile")
async def fragile():
    """Answers alone, fails with others in flight: its ramp's steps past 1 fail."""
    IN_FLIGHT[0] += 1
    try:
        await asyncio.sleep(0.01)
        if IN_FLIGHT[0] > 1:
            raise RuntimeError("two at once")
        return {"ok": True}
    finally:
        IN_FLIGHT[0] -= 1
