# blocking-db "fixed" wrong: a `def` route keeps the loop free, but a lock lets one query at a time
# reach PostgreSQL, so ten take ten times as long. It fails, and never as "on the loop's thread".
import os
import threading

import psycopg2
from fastapi import FastAPI

app = FastAPI()
DATABASE_URL = os.environ.get("DATABASE_URL", "postgresql:///postgres")
ONE_AT_A_TIME = threading.Lock()


@app.get("/report")
def report():
    with ONE_AT_A_TIME, psycopg2.connect(DATABASE_URL) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(0.1)")
    return {"rows": 1, "query_ms": 100}
