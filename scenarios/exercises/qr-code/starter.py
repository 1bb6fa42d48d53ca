# Exercise qr-code: a route that calls a synchronous library which computes for about {d_ms} ms.
# Run it: /usr/bin/python3 -m uvicorn main:app    Grade it: lab exercise check qr-code .
import hashlib
import time

from fastapi import FastAPI

app = FastAPI()


def make_qr(text: str, ms: int) -> str:
    """The 'library': synchronous, pure Python, about `ms` of CPU. Do not change it."""
    digest = text.encode()
    until = time.thread_time() + ms / 1000
    while time.thread_time() < until:
        digest = hashlib.sha256(digest).digest()
    return digest.hex()[:16]


@app.get("{path}")
async def qr(text: str = "{data}"):
    return {"code": make_qr(text, {d_ms})}
