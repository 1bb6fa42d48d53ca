"""The stamps every reference app puts on an answer, as `lab serve` does: when the work began and
ended, on which thread of which process. Shared by the ASGI apps (apps.py) and the WSGI one
(wsgi_app.py), so both answer in the one shape the lab's harness reads."""
import os
import threading
import time
from datetime import datetime


def clock_text():
    return datetime.now().strftime("%Y-%m-%d %H:%M:%S.%f")


class Served:
    """Stamps around a request's work, taken on the thread that does the work (as `lab serve`
    does). server_*_us are CLOCK_MONOTONIC microseconds, the clock the lab's harness reads."""

    def __enter__(self):
        self.start_us, self.start_time = time.monotonic_ns() // 1000, clock_text()
        return self

    def __exit__(self, *exc):
        self.end_us, self.end_time = time.monotonic_ns() // 1000, clock_text()
        self.thread_id = threading.get_native_id()

    def reply(self, message, **extra):
        return {"message": message, **extra,
                "start_time": self.start_time, "end_time": self.end_time,
                "worker_id": os.getpid(), "thread_id": self.thread_id,
                "server_start_us": self.start_us, "server_end_us": self.end_us}
