# The blocking-websocket exercise's app with its ticks changed as a hostile tester changes them,
# by ODD_TICKS: "stamped" (the starter's time.sleep still in the handler, each tick stamped due
# when it is sent, so a held tick claims to be on time), "binary" (each tick sent as bytes),
# "spaces" (json.dumps's own blanks: still a tick), "huge" (each tick padded past 64 KiB) or
# "silent" (no tick at all). The grade must come from what the lab measured, and say what came.
import asyncio
import json
import os
import re
import time

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()
ODD = os.environ.get("ODD_TICKS", "stamped")
EVERY_US = 100_000
clients = set()


def tick_text(k, due_us):
    if ODD == "stamped":
        due_us = time.monotonic_ns() // 1000  # the cheat: due when sent, however late
    if ODD == "spaces":
        return json.dumps({"tick": k, "due_us": due_us, "every_us": EVERY_US})
    padding = {"pad": "x" * (65 << 10)} if ODD == "huge" else {}
    return json.dumps({"tick": k, "due_us": due_us, "every_us": EVERY_US, **padding}, separators=(",", ":"))


async def tick_forever():
    first_us = time.monotonic_ns() // 1000 + EVERY_US
    for k in range(10**9):
        due_us = first_us + k * EVERY_US
        await asyncio.sleep(max(0, due_us - time.monotonic_ns() // 1000) / 1e6)
        text = tick_text(k, due_us)
        for ws in list(clients):
            try:
                if ODD == "binary":
                    await ws.send_bytes(text.encode())
                elif ODD != "silent":
                    await ws.send_text(text)
            except Exception:  # closed meanwhile
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
                if ODD == "stamped":
                    time.sleep(int(asked[1]) / 1000)  # the starter's mistake, kept
                else:
                    await asyncio.sleep(int(asked[1]) / 1000)
                await ws.send_text(f"waited {asked[1]}")
    except WebSocketDisconnect:
        clients.discard(ws)
