"""The shop's own number crunching: pure Python, ~60 ms of CPU a call."""
import time


def burn(ms):
    """Computes for `ms` milliseconds of this thread's CPU time (so the same on a busy machine)."""
    until, total = time.thread_time() + ms / 1000, 0
    while time.thread_time() < until:
        for i in range(2000):
            total += i * i % 7
    return total


def sales_report():
    return {"lines": 120, "checksum": burn(60) % 1000}


def make_thumbnail(size):
    return {"size": size, "pixels": burn(60) % 1000}
