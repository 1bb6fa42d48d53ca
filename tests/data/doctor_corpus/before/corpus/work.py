"""What the corpus's routes do, written as people write it: CPU in pure Python, a password hash,
a page's rows."""
import hashlib
import time


def burn(ms):
    """Computes for `ms` milliseconds of this thread's CPU time (the same on a busy machine)."""
    until, total = time.thread_time() + ms / 1000, 0
    while time.thread_time() < until:
        for i in range(2000):
            total += i * i % 7
    return total


WORK_MS = 30  # between the doctor's 20 ms hold and the 50 ms of CPU it sends to a process pool


def check_password(token):
    """A password hash stretched to about 30 ms of this thread's CPU (hashlib lets go of the GIL
    while it computes). The corpus's one concession to the machine it runs on: a fixed count of
    rounds took 30 ms on one machine and 50 on another, and a count timed at start-up took 19 ms
    a request in one CI run (the start-up's timing slowed by what else ran then)."""
    digest, until = token.encode(), time.thread_time() + WORK_MS / 1000
    while time.thread_time() < until:
        digest = hashlib.pbkdf2_hmac("sha256", digest, b"corpus-salt", 1_000)
    return digest.hex()


def month_rows(ms=WORK_MS):
    """The month's rows for its page, as many as `ms` milliseconds of this thread's CPU take to
    render (the template writes each line as it takes its row): 6,500 rows took 30 ms to render on
    one machine and 18 ms on another, under the doctor's 20 ms."""
    until, day = time.thread_time() + ms / 1000, 0
    while time.thread_time() < until:
        for day in range(day, day + 100):  # (the clock read once in 100 rows: the page takes the time)
            yield {"day": day, "total": day * 3}
        day += 1
