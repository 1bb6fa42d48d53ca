# A student's app that prints 80 MB as it starts (a debugging print left in a loop): the lab keeps
# the head and the tail of its log, not all of it.
import sys

from fastapi import FastAPI

line = "x" * 1023 + "\n"
for _ in range(80 * 1024):
    sys.stdout.write(line)
sys.stdout.flush()

app = FastAPI()


@app.get("/work")
async def work(ms: int = 100):
    return "done"
