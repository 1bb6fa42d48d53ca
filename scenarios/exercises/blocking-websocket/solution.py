# Exercise blocking-websocket, the lab's answer: the handler awaits its wait, so the loop sends every
# client's tick meanwhile. (Awaiting asyncio.to_thread(time.sleep, ...) passes too: a thread waits.)
import asyncio
import json
import re
import time

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()
EVERY_US = 100_000
clients = set()


async def tick_forever():
    first_us = time.monotonic_ns() // 1000 + EVERY_US
    for k in range(10**9):
        due_us = first_us + k * EVERY_US  # fixed in advance: a late tick does not move the next
        await asyncio.sleep(max(0, due_us - time.monotonic_ns() // 1000) / 1e6)
        text = json.dumps({"tick": k, "due_us": due_us, "every_us": EVERY_US}, separators=(",", ":"))
        for ws in list(clients):
            try:
                await ws.send_text(text)
            except Exception:  # closed meanwhile
                clients.discard(ws)


@app.on_event("startup")
async def start_ticking():
    asyncio.create_task(tick_forever())


@app.websocket("{path}")
async def ticks(ws: WebSocket):
    await ws.accept()
    clients.add(ws)
    try:
        while True:
            asked = re.fullmatch(r"wait ([0-9]+)", await ws.receive_text())
            if asked:
                await asyncio.sleep(int(asked[1]) / 1000)  # the slow work, awaited: the ticks go on
                await ws.send_text(f"waited {asked[1]}")
    except WebSocketDisconnect:
        clients.discard(ws)
