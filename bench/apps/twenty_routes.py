"""An ordinary FastAPI app of 20 GET routes, for timing `lab doctor` (bench/doctor_time.sh).

Routes of the kinds a small service has: plain answers, path and query parameters, `async def`
routes that await (a database's or a service's wait, emulated by asyncio.sleep), `def` routes
that wait in the thread pool, one that computes a little, and one that holds the loop (an
`async def` calling time.sleep), which the doctor should name.
"""
import asyncio
import hashlib
import time

from fastapi import FastAPI

app = FastAPI(title="twenty routes")

ITEMS = {n: {"id": n, "name": f"item {n}", "price": 3 + n % 7} for n in range(1, 101)}


@app.get("/")
async def index():
    return {"service": "twenty routes"}


@app.get("/health")
async def health():
    return {"ok": True}


@app.get("/version")
def version():
    return {"version": "1.0"}


@app.get("/items")
async def list_items(limit: int = 10):
    return list(ITEMS.values())[:limit]


@app.get("/items/{item_id}")
async def get_item(item_id: int = 1):
    return ITEMS.get(item_id, {"id": item_id, "missing": True})


@app.get("/items/{item_id}/price")
async def item_price(item_id: int = 1):
    await asyncio.sleep(0.01)  # a cache's answer
    return {"id": item_id, "price": ITEMS.get(item_id, {}).get("price", 0)}


@app.get("/search")
async def search(q: str = "item"):
    return [i for i in ITEMS.values() if q in i["name"]][:5]


@app.get("/users/{user_id}")
async def get_user(user_id: int = 1):
    await asyncio.sleep(0.02)  # a database's answer, awaited
    return {"id": user_id}


@app.get("/users/{user_id}/orders")
def user_orders(user_id: int = 1):
    time.sleep(0.02)  # a blocking driver, in the thread pool
    return {"user": user_id, "orders": []}


@app.get("/orders/{order_id}")
async def get_order(order_id: int = 1):
    await asyncio.sleep(0.03)
    return {"id": order_id, "state": "shipped"}


@app.get("/stock")
def stock():
    time.sleep(0.01)
    return {"in_stock": len(ITEMS)}


@app.get("/categories")
async def categories():
    return ["tools", "books", "toys"]


@app.get("/categories/{name}")
async def category(name: str = "tools"):
    return {"name": name, "items": 0}


@app.get("/recommendations/{user_id}")
async def recommendations(user_id: int = 1):
    await asyncio.sleep(0.05)  # a slower service, awaited
    return {"user": user_id, "items": [1, 2, 3]}


@app.get("/checksum")
async def checksum(rounds: int = 2000):
    digest = b"lab"
    for _ in range(rounds):  # a little computing on the loop (about a millisecond)
        digest = hashlib.sha256(digest).digest()
    return {"sha256": digest.hex()}


@app.get("/exchange-rate")
async def exchange_rate():
    time.sleep(0.03)  # a blocking SDK call inside async def: holds the loop
    return {"eur_usd": 1.08}


@app.get("/settings")
def settings():
    return {"currency": "EUR"}


@app.get("/ping")
async def ping():
    return "pong"


@app.get("/time")
async def server_time():
    return {"unix": time.time()}


@app.get("/stats")
async def stats():
    await asyncio.sleep(0.005)
    return {"items": len(ITEMS)}
