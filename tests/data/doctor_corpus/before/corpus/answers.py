"""Routes whose hold is not in their own lines: FastAPI encoding a big answer after the route
returns (a `def` route's too), an answer over 1 MiB, a jinja2 page rendered on the loop, Python
computing in `asyncio.to_thread` (the loop's thread waits for the GIL), a password login sent
as a form (OAuth2's), hashed on the loop, a cache filled by the first call only, and a lock that
a background thread holds most of the time."""
import asyncio
import functools
import random
import threading
import time

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel

from .work import burn, check_password, month_rows

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


@router.get("/items", response_model=list[Item])
def items():
    return catalogue(4000)  # FastAPI validates the 4,000 rows on a thread, then encodes them on the loop


@router.get("/items/latest", response_model=list[Item])
async def latest_items():
    return catalogue(4000)  # FastAPI validates and encodes them after this returns


@router.get("/dump")
def dump():
    return [{**row, "note": "x" * 400} for row in catalogue(3000)]  # about 1.3 MiB of JSON


@router.get("/monthly")
async def monthly(request: Request):
    lines = month_rows()  # rendered as the page is written: about 30 ms of CPU (work.py)
    return pages.TemplateResponse("monthly.html", {"request": request, "lines": lines})


@router.get("/crunch")
async def crunch():
    total = await asyncio.to_thread(burn, 60)  # Python computing on an executor's thread
    return {"total": total % 1000}


@router.post("/token")
async def token(form: OAuth2PasswordRequestForm = Depends()):
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
async def balance():
    with LEDGER:  # waits on the loop while the background thread holds the lock
        return {"balance": 42}
