"""The cliff (lesson `thread-cliff`): slow `def` requests and one fast `def` route on AnyIO's 40
thread tokens, the shape of tideway PR #384's measurement.

FastAPI runs every `def` route on a thread, and AnyIO lends at most 40 of them at once. While
fewer than 40 slow requests are in flight, the fast route finds a free token and answers at once;
with more, it queues for a token behind the slow ones, and its wait jumps. Three apps, one file:
- `app`: both routes `def` (the cliff);
- `app_async`: the fast route `async def`, which never asks for a token (the first fix);
- `app_more_tokens`: both `def`, with 100 tokens lent from start-up (the second fix: more
  threads, each with its stack, for whoever asks).
"""
import time

import anyio.to_thread
from fastapi import FastAPI


def slow(ms: int = 100):
    time.sleep(ms / 1000)  # a blocking call, on one of AnyIO's threads
    return {"waited_ms": ms}


def fast():
    return {"status": "ok"}


async def fast_async():
    return {"status": "ok"}


def made(fast_route):
    made_app = FastAPI()
    made_app.get("/delay")(slow)
    made_app.get("/")(fast_route)
    return made_app


app = made(fast)
app_async = made(fast_async)
app_more_tokens = made(fast)


@app_more_tokens.on_event("startup")
async def more_tokens():
    anyio.to_thread.current_default_thread_limiter().total_tokens = 100
