"""../../before/corpus/answers.py with each fix `lab doctor` printed for it applied as printed (the
comment above each change quotes it)."""
import asyncio
import functools
import json
import random
import threading
import time

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import OAuth2PasswordRequestForm
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel

from .work import PROCESSES, burn, check_password, month_rows

router = APIRouter()
pages = Jinja2Templates(directory="corpus/templates")


class Item(BaseModel):
    id: int
    name: str
    price: float
    tags: list[str]


def catalogue(n):
    """n rows as the database would give them."""
    return [{"id": k, "name": f"item {k}", "price": k * 0.25, "tags": ["a", "b"]} for k in range(n)]


# "make the JSON of `items`'s answer in a `def` route and return it as a Response"
@router.get("/items", response_model=list[Item])
def items():
    return Response(json.dumps(catalogue(4000)), media_type="application/json")


# "make the JSON of `latest_items`'s answer in a `def` route and return it as a Response"
@router.get("/items/latest", response_model=list[Item])
def latest_items():
    return Response(json.dumps(catalogue(4000)), media_type="application/json")


# "make the JSON of `dump`'s answer in a `def` route and return it as a Response"
@router.get("/dump")
def dump():
    data = [{**row, "note": "x" * 400} for row in catalogue(3000)]
    return Response(json.dumps(data), media_type="application/json")


# "make `monthly` a `def`"
@router.get("/monthly")
def monthly(request: Request):
    lines = month_rows()  # rendered as the page is written: about 30 ms of CPU (work.py)
    return pages.TemplateResponse("monthly.html", {"request": request, "lines": lines})


@router.get("/crunch")
async def crunch():
    # "run the Python computing of `crunch` in a process pool (`await loop.run_in_executor(pool, ...)` ...)"
    total = await asyncio.get_running_loop().run_in_executor(PROCESSES, burn, 60)
    return {"total": total % 1000}


@router.post("/token")
def token(form: OAuth2PasswordRequestForm = Depends()):  # "make `token` a `def`"
    digest = check_password(form.password)  # a password hash: about 30 ms of CPU (work.py)
    return {"access_token": digest[:16], "token_type": "bearer"}


@functools.lru_cache
def rates_table():
    time.sleep(0.25)  # loads the table once: a slow file, a remote service
    return {"EUR": 1.0, "USD": 1.08}


@router.get("/rates/today")
async def rates_today():
    return rates_table()  # its first call holds the loop; the others find the table cached


LEDGER = threading.Lock()


def keep_ledger():
    """A background thread that holds the ledger's lock most of the time (0.2 to 0.4 s at a time,
    then 2 ms free: in no rhythm a request could fall into step with, and too short for a whole
    burst to fall into by chance: one burst did, in a busy run, when it was 10 ms). A request that
    comes in a hold's last 20 ms waits less than a hold: 1 in 15 (when the holds were 0.1 to 0.3 s,
    1 in 10, the warm-up and the burst both did so in a CI run, and the doctor saw no hold)."""
    while True:
        with LEDGER:
            time.sleep(random.uniform(0.2, 0.4))
        time.sleep(0.002)


threading.Thread(target=keep_ledger, daemon=True).start()


@router.get("/balance")
def balance():  # "make `balance` a `def` (FastAPI runs it on the thread pool)"
    with LEDGER:
        return {"balance": 42}
