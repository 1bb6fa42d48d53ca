# Exercise blocking-db, the lab's answer: asyncpg, awaited, from a pool opened at start-up. The
# loop serves other requests while PostgreSQL works. (A plain `def` route with psycopg2 passes too.)
import os

import asyncpg
from fastapi import FastAPI

app = FastAPI()
DATABASE_URL = os.environ.get("DATABASE_URL", "postgresql:///postgres")
pool = None


@app.on_event("startup")
async def open_pool():
    global pool
    pool = await asyncpg.create_pool(DATABASE_URL, min_size=10, max_size=10)


@app.get("{path}")
async def report():
    await pool.fetchval("SELECT pg_sleep({d})")  # awaited: the loop is free meanwhile
    return {"rows": 1, "query_ms": {d_ms}}
