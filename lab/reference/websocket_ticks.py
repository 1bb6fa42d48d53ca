# The websockets lesson's endpoint in the FastAPI twins (apps.py): GET /ws upgraded to a WebSocket,
# a tick sent to every open WebSocket every 100 ms by one task on the event loop, and a client's
# "wait MS" message waited for the variant's way: `time.sleep` in the `async def` handler
# (blocking: the loop waits, so every connection's tick waits) or `await asyncio.sleep`
# (awaiting: the loop sends the ticks meanwhile), then answered "waited MS". The messages' text is
# the lab's own, defined in harness/tick_message.hpp; `lab serve`'s twin of this file is
# lab/server/websocket_session.cpp.
import asyncio
import json
import re
import time

from fastapi import WebSocket, WebSocketDisconnect

TICK_EVERY_US = 100_000
MOST_WAIT_MS = 60_000
WAIT_MESSAGE = re.compile(r"wait (0|[1-9][0-9]{0,4})")


def monotonic_us():
    return time.monotonic_ns() // 1000  # CLOCK_MONOTONIC, the clock the lab's harness reads


class Listeners:
    """Every open WebSocket of this process, and the one task that ticks while any is open."""

    def __init__(self):
        self.open = set()
        self.ticker = None

    def join(self, websocket):
        self.open.add(websocket)
        if self.ticker is None:
            self.ticker = asyncio.create_task(self.tick_while_open())

    async def tick_while_open(self):
        # Due times are fixed from the first, so a late tick does not move the next: its lateness is the loop's.
        first_us = monotonic_us() + TICK_EVERY_US
        k = 0
        while self.open:
            due_us = first_us + k * TICK_EVERY_US
            await asyncio.sleep(max(0, due_us - monotonic_us()) / 1e6)
            text = json.dumps({"tick": k, "due_us": due_us, "every_us": TICK_EVERY_US}, separators=(",", ":"))
            for websocket in list(self.open):  # one after another, as a broadcast loop in a handler sends
                try:
                    await websocket.send_text(text)
                except Exception:  # closed meanwhile
                    self.open.discard(websocket)
            k += 1
        self.ticker = None


def add_websocket_route(app, blocking):
    listeners = Listeners()

    @app.websocket("/ws")
    async def ticks(websocket: WebSocket):
        await websocket.accept()
        listeners.join(websocket)
        try:
            while True:
                text = await websocket.receive_text()
                asked = WAIT_MESSAGE.fullmatch(text)
                if not asked or int(asked[1]) > MOST_WAIT_MS:
                    await websocket.close(code=1008, reason=f'a message is "wait MS", MS from 0 to {MOST_WAIT_MS}')
                    break
                if blocking:
                    time.sleep(int(asked[1]) / 1000)  # the documents' mistake: the loop, and every tick, waits
                else:
                    await asyncio.sleep(int(asked[1]) / 1000)  # the loop sends the ticks meanwhile
                await websocket.send_text(f"waited {asked[1]}")  # the reply: the wait is done
        except WebSocketDisconnect:
            pass
        finally:
            listeners.open.discard(websocket)
