# A student's app that leaves processes behind as it imports: a plain subprocess, a
# multiprocessing child (named like its uvicorn in `ps`) and a double-forked setsid daemon. Each
# writes "KIND PID PIDNS" to the file $LAB_TEST_PIDS (PIDNS: the PID namespace its pid is of), so
# a test can count them, and find them gone.
import ctypes
import multiprocessing
import os
import subprocess
import time

from fastapi import FastAPI

PIDS = os.environ["LAB_TEST_PIDS"]


def note(kind, pid):
    with open(PIDS, "a") as f:
        f.write(f"{kind} {pid} {os.readlink('/proc/self/ns/pid')}\n")


def sleep_forever():
    note("multiprocessing", os.getpid())
    while True:
        time.sleep(1)


def daemon():
    """Forks twice and leaves the session, as a daemon does: its parent is gone at once."""
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            note("daemon", os.getpid())
            os.execvp("sleep", ["sleep", "300"])
        os._exit(0)
    os.wait()


note("popen", subprocess.Popen(["sleep", "300"]).pid)
multiprocessing.Process(target=sleep_forever).start()
daemon()
# LAB_TEST_UNMOUNT_PROC: then the namespace's /proc unmounted (the machine's shows through), only
# where the lab's own PID namespace holds this app (its first process serve.py, its mounts private).
if os.environ.get("LAB_TEST_UNMOUNT_PROC"):
    with open("/proc/1/cmdline", "rb") as first:
        if b"serve.py" in first.read():
            ctypes.CDLL(None, use_errno=True).umount2(b"/proc", 2)  # MNT_DETACH

app = FastAPI()


@app.get("/work")
async def work(ms: int = 100):
    time.sleep(ms / 1000)
    return "done"
