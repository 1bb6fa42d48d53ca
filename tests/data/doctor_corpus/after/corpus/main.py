"""../before/corpus/main.py with each fix `lab doctor` printed for it applied as printed (the
comment above each change quotes it): tests/doctor_corpus_test.py checks that every route here is
judged clean and leaves the loop free."""
import asyncio
import sqlite3
import time

from fastapi import BackgroundTasks, Depends, FastAPI, Request
from fastapi.responses import StreamingResponse

from .deps import current_user
from . import answers, legacy
from .routers import catalogue
from .work import PROCESSES, burn

app = FastAPI(title="Doctor's corpus, after")
SUM_OF_SQUARES = ("with recursive n(x) as (select 1 union all select x + 1 from n where x < 400000)"
                  " select sum(x * x % 7) from n")
app.include_router(catalogue.router, prefix="/catalogue")
app.include_router(answers.router)
app.mount("/legacy", legacy.app)


@app.middleware("http")
async def audit(request: Request, call_next):
    if request.url.path.startswith("/audited"):
        # "run the blocking call in the middleware `audit` with `await asyncio.to_thread(...)`"
        await asyncio.to_thread(time.sleep, 0.03)
    return await call_next(request)


@app.get("/audited")
async def audited():
    return {"audited": True}


@app.get("/nap")
async def nap():
    await asyncio.sleep(0.05)  # "await `asyncio.sleep(...)` in `nap` in place of `time.sleep(...)`"
    return {"slept": True}


@app.get("/me")
async def me(user=Depends(current_user)):
    return user


def chunks():  # "make the generator `chunks` a plain `def` generator"
    for n in range(4):
        time.sleep(0.025)
        yield b"chunk %d\n" % n


@app.get("/export")
async def export():
    return StreamingResponse(chunks(), media_type="text/plain")


@app.get("/slices")
async def slices():
    # "run `slices`'s computing in a process pool (`await loop.run_in_executor(pool, ...)` ...)"
    loop, total = asyncio.get_running_loop(), 0
    for _ in range(10):
        total += await loop.run_in_executor(PROCESSES, burn, 8)
    return {"total": total % 1000}


@app.get("/report")
async def report():
    # "run `report`'s computing in a process pool (`await loop.run_in_executor(pool, ...)` ...)"
    checksum = await asyncio.get_running_loop().run_in_executor(PROCESSES, burn, 70)
    return {"checksum": checksum % 1000}


@app.get("/convert")
async def convert():
    # "start the child in `convert` with `await asyncio.create_subprocess_exec(...)` and await its `wait()`"
    child = await asyncio.create_subprocess_exec("sleep", "0.05")
    return {"status": await child.wait()}


def send_receipt(order_id):  # "make the background function `send_receipt` a `def`"
    time.sleep(0.05)


@app.get("/checkout")
async def checkout(background_tasks: BackgroundTasks):
    background_tasks.add_task(send_receipt, 7)
    return {"order": 7}


@app.get("/count")
def count():
    with sqlite3.connect(":memory:") as db:  # sqlite3 lets go of the GIL while the query runs
        return {"sum": db.execute(SUM_OF_SQUARES).fetchone()[0]}


@app.get("/lookup")
def lookup():  # "make the route `lookup` a `def`"
    with sqlite3.connect(":memory:") as db:
        return {"sum": db.execute(SUM_OF_SQUARES).fetchone()[0]}


@app.get("/resize")
async def resize():
    # "run the Python computing of `resize` in a process pool (`await loop.run_in_executor(pool, ...)` ...)"
    checksum = await asyncio.get_running_loop().run_in_executor(PROCESSES, burn, 60)
    return {"checksum": checksum % 1000}


@app.get("/offload")
async def offload():
    await asyncio.to_thread(time.sleep, 0.05)
    return {"offloaded": True}
