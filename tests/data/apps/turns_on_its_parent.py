# A student's app that turns on the lab's serve.py at its first request: it clears its death
# signal, leaves serve.py's session (setsid), forks a daemon that keeps the listening socket, and
# then, by LAB_TEST_HOSTILE:
#   kill        SIGKILLs serve.py
#   stop        SIGSTOPs serve.py
#   cgroup      moves itself to the root cgroup first (the daemon follows), then SIGKILLs serve.py
#   kill-guard  SIGKILLs the lab's guard (a process named lab-guard, if it can see one), then serve.py
#   stop-guard  SIGSTOPs the guard, then SIGKILLs serve.py
# Each process writes "KIND PID PIDNS" to $LAB_TEST_PIDS (PIDNS: its PID namespace, where its own
# pid means what it says), and the app's port as "port PORT".
import ctypes
import os
import signal
import time

from fastapi import FastAPI, Request

PIDS = os.environ["LAB_TEST_PIDS"]
HOSTILE = os.environ.get("LAB_TEST_HOSTILE", "kill")
app = FastAPI()
turned = False


def note(kind, number):
    with open(PIDS, "a") as f:
        f.write(f"{kind} {number} {os.readlink('/proc/self/ns/pid')}\n")


def to_root_cgroup():
    with open("/proc/self/mountinfo") as mounts:
        for line in mounts:
            if " - cgroup2 " in line:
                try:
                    with open(line.split()[4] + "/cgroup.procs", "w") as procs:
                        procs.write("0")
                except OSError:
                    pass  # (not root: no group to leave either)


def signal_guard(number):
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                if b"lab-guard" in f.read():
                    os.kill(int(entry), number)
        except (OSError, ValueError):
            pass


def turn_on_parent(port):
    ctypes.CDLL(None).prctl(1, 0, 0, 0, 0)  # PR_SET_PDEATHSIG 0: no death signal
    os.setsid()
    if HOSTILE == "cgroup":
        to_root_cgroup()
    if os.fork() == 0:  # a daemon holding every socket of uvicorn's, the listening one too
        note("daemon", os.getpid())
        while True:
            time.sleep(1)
    note("uvicorn", os.getpid())
    if HOSTILE.endswith("-guard"):
        signal_guard(signal.SIGKILL if HOSTILE == "kill-guard" else signal.SIGSTOP)
    os.kill(os.getppid(), signal.SIGSTOP if HOSTILE == "stop" else signal.SIGKILL)
    note("port", port)


@app.get("/work")
async def work(request: Request, ms: int = 100):
    global turned
    if not turned:
        turned = True
        turn_on_parent(request.scope["server"][1])
    time.sleep(ms / 1000)
    return "done"
