# For blocking-websocket's grade: the handler awaits its wait (every tick on time) but never
# replies, so nothing shows its work was done; the grade must say that no reply came.
import asyncio
import json
import re
import time

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()
clients = set()


async def tick_forever():
    first_us = time.monotonic_ns() // 1000 + 100_000
    for k in range(10**9):
        due_us = first_us + k * 100_000
        await asyncio.sleep(max(0, due_us - time.monotonic_ns() // 1000) / 1e6)
        for ws in list(clients):
            try:
                await ws.send_text(json.dumps({"tick": k, "due_us": due_us, "every_us": 100_000}, separators=(",", ":")))
            except Exception:
                clients.discard(ws)


@app.on_event("startup")
async def start_ticking():
    asyncio.create_task(tick_forever())


@app.websocket("/ws")
async def ticks(ws: WebSocket):
    await ws.accept()
    clients.add(ws)
    try:
        while True:
            asked = re.fullmatch(r"wait ([0-9]+)", await ws.receive_text())
            if asked:
                await asyncio.sleep(int(asked[1]) / 1000)  # the work, awaited, and no reply after it
    except WebSocketDisconnect:
        clients.discard(ws)
