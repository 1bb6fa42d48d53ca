# Exercise blocking-db: a route that asks PostgreSQL a slow question through psycopg2.
# The lab gives the database's address as DATABASE_URL. Grade it: lab exercise check blocking-db .
import os

import psycopg2
from fastapi import FastAPI

app = FastAPI()
DATABASE_URL = os.environ.get("DATABASE_URL", "postgresql:///postgres")


@app.get("{path}")
async def report():
    with psycopg2.connect(DATABASE_URL) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep({d})")  # PostgreSQL takes {d_ms} ms to answer
    return {"rows": 1, "query_ms": {d_ms}}
