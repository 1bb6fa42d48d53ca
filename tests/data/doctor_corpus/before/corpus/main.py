"""An app written outside the lab, one route per way real code holds the loop (and two that do
not): tests/doctor_corpus_test.py runs `lab doctor` on it and on ../after, the same app with each
printed fix applied as printed. Routers, a dependency behind a header, a middleware, a background
task, a streaming body."""
import asyncio
import sqlite3
import subprocess
import time

from fastapi import BackgroundTasks, Depends, FastAPI, Request
from fastapi.responses import StreamingResponse

from .deps import current_user
from . import answers, legacy
from .routers import catalogue
from .work import burn

app = FastAPI(title="Doctor's corpus, before")
SUM_OF_SQUARES = ("with recursive n(x) as (select 1 union all select x + 1 from n where x < 400000)"
                  " select sum(x * x % 7) from n")
app.include_router(catalogue.router, prefix="/catalogue")
app.include_router(answers.router)
app.mount("/legacy", legacy.app)  # an older app of its own, mounted: not in /openapi.json


@app.middleware("http")
async def audit(request: Request, call_next):
    if request.url.path.startswith("/audited"):
        time.sleep(0.03)  # writes the audit line with a blocking call
    return await call_next(request)


@app.get("/audited")
async def audited():
    return {"audited": True}


@app.get("/nap")
async def nap():
    time.sleep(0.05)
    return {"slept": True}


@app.get("/me")
async def me(user=Depends(current_user)):
    return user


async def chunks():
    for n in range(4):
        time.sleep(0.025)
        yield b"chunk %d\n" % n


@app.get("/export")
async def export():
    return StreamingResponse(chunks(), media_type="text/plain")


@app.get("/slices")
async def slices():
    total = 0
    for _ in range(10):
        total += burn(8)
        await asyncio.sleep(0)  # lets the others in between slices
    return {"total": total % 1000}


@app.get("/report")
async def report():
    return {"checksum": burn(70) % 1000}


@app.get("/convert")
async def convert():
    done = subprocess.run(["sleep", "0.05"], check=True)
    return {"status": done.returncode}


async def send_receipt(order_id):
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
async def lookup():
    with sqlite3.connect(":memory:") as db:  # a sync driver, on the loop
        return {"sum": db.execute(SUM_OF_SQUARES).fetchone()[0]}


@app.get("/resize")
def resize():
    return {"checksum": burn(60) % 1000}  # pure Python on a pool thread: it keeps the GIL


@app.get("/offload")
async def offload():
    await asyncio.to_thread(time.sleep, 0.05)
    return {"offloaded": True}
