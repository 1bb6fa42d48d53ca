# Exercise qr-code, the lab's answer: a plain `def` route, which FastAPI runs in its thread pool,
# so the event loop stays free to answer the health check while the code is computed.
import hashlib
import time

from fastapi import FastAPI

app = FastAPI()


def make_qr(text: str, ms: int) -> str:
    """The 'library': synchronous, pure Python, about `ms` of CPU. Unchanged."""
    digest = text.encode()
    until = time.thread_time() + ms / 1000
    while time.thread_time() < until:
        digest = hashlib.sha256(digest).digest()
    return digest.hex()[:16]


@app.get("{path}")
def qr(text: str = "{data}"):  # def, not async def: the pool computes, the loop answers
    return {"code": make_qr(text, {d_ms})}
