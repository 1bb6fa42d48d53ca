# blocking-db fixed right: psycopg2's query run in asyncio's default executor, whose
# min(32, os.cpu_count() + 4) threads let that many wait at once (6 on 2 cores: 10 requests in
# two waves), each with a connection of its own. The loop stays free. It passes.
import asyncio
import os

import psycopg2
from fastapi import FastAPI

app = FastAPI()
DATABASE_URL = os.environ.get("DATABASE_URL", "postgresql:///postgres")


def query():
    with psycopg2.connect(DATABASE_URL) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(0.1)")


@app.get("/report")
async def report():
    await asyncio.get_running_loop().run_in_executor(None, query)
    return {"rows": 1, "query_ms": 100}
