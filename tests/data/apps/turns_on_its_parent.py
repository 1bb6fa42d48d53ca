# A student's app that turns on the lab's serve.py at its first request: it clears its death
# signal, leaves serve.py's session (setsid), forks a daemon that keeps the listening socket, and
# then SIGKILLs serve.py (or, with LAB_TEST_HOSTILE=stop, SIGSTOPs it). Each process writes
# "KIND PID" to $LAB_TEST_PIDS, and the app's port as "port PORT".
import ctypes
import os
import signal
import time

from fastapi import FastAPI, Request

PIDS = os.environ["LAB_TEST_PIDS"]
app = FastAPI()
turned = False


def note(kind, number):
    with open(PIDS, "a") as f:
        f.write(f"{kind} {number}\n")


def turn_on_parent(port):
    ctypes.CDLL(None).prctl(1, 0, 0, 0, 0)  # PR_SET_PDEATHSIG 0: no death signal
    os.setsid()
    if os.fork() == 0:  # a daemon holding every socket of uvicorn's, the listening one too
        note("daemon", os.getpid())
        while True:
            time.sleep(1)
    note("uvicorn", os.getpid())
    note("port", port)
    os.kill(os.getppid(), signal.SIGSTOP if os.environ.get("LAB_TEST_HOSTILE") == "stop" else signal.SIGKILL)


@app.get("/work")
async def work(request: Request, ms: int = 100):
    global turned
    if not turned:
        turned = True
        turn_on_parent(request.scope["server"][1])
    time.sleep(ms / 1000)
    return "done"
