"""A small shop API, written the way people write them, with the mistakes people make.

Each route's comment says what the lab's doctor should find in it (tests/probe_attribution_test.py
checks the probe's figures for each).
"""
import asyncio
import os
import time

from fastapi import BackgroundTasks, FastAPI, Request

from . import vendor_sdk
from .models import Order
from .pricing import make_thumbnail, sales_report


app = FastAPI(title="Doctor's shop")
orders = []


@app.on_event("startup")
async def connect():
    await asyncio.sleep(0.3)  # "connect to the database": the server listens only after this

if os.environ.get("SHOP_NO_MIDDLEWARE") != "1":
    @app.middleware("http")  # BaseHTTPMiddleware: each request's route runs in a task of its own
    async def add_timing(request: Request, call_next):
        started = time.perf_counter()
        response = await call_next(request)
        response.headers["x-shop-took-ms"] = f"{(time.perf_counter() - started) * 1000:.1f}"
        return response


@app.get("/ping")
async def ping():
    return {"ok": True}  # answers at once: what the probe itself costs


# Holds the loop, waiting: a blocking SDK call in async def (app/vendor_sdk.py exchange_rate → time.sleep).
@app.get("/price/{item_id}")
async def price(item_id: int):
    rate = vendor_sdk.exchange_rate("EUR")
    return {"item_id": item_id, "price": round(9.99 * rate, 2)}


# Concurrent: awaits, the loop is free while it waits.
@app.get("/stock/{item_id}")
async def stock(item_id: int):
    await asyncio.sleep(0.1)
    return {"item_id": item_id, "in_stock": item_id % 3 != 0}


# Holds the loop, computing: pure Python in async def (app/pricing.py burn).
@app.get("/report")
async def report():
    return sales_report()


# Computes on the thread pool (def), under the GIL: the loop's thread waits its turn at it.
@app.get("/thumbnail")
def thumbnail(size: int = 64):
    return make_thumbnail(size)


# Concurrent: two waits at once.
@app.get("/search")
async def search(q: str):
    await asyncio.gather(asyncio.sleep(0.05), asyncio.sleep(0.05))
    return {"q": q, "results": []}


# Concurrent, in the thread pool: a blocking wait in a def route is what the pool is for.
@app.get("/orders")
def list_orders():
    time.sleep(0.1)
    return orders


# Changes the shop's state: the doctor must never call it on its own.
@app.post("/orders")
async def place_order(order: Order):
    orders.append(order)
    return {"placed": len(orders)}


async def email_receipt(order_id: int):
    time.sleep(0.05)  # a blocking "send mail" in an async background task: holds the loop after the answer


# Answers at once, then holds the loop after the answer (its background task).
@app.get("/receipt/{order_id}")
async def receipt(order_id: int, background_tasks: BackgroundTasks):
    background_tasks.add_task(email_receipt, order_id)
    return {"order_id": order_id, "sent": True}


# A bug: answers 500.
@app.get("/broken")
async def broken():
    return {"total": sum(o.quantity for o in orders) / len(orders)}  # ZeroDivisionError with no orders
