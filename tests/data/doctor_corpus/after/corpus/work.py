"""What the corpus's routes do, written as people write it: CPU in pure Python, a password hash."""
import hashlib
import time
from concurrent.futures import ProcessPoolExecutor


def burn(ms):
    """Computes for `ms` milliseconds of this thread's CPU time (the same on a busy machine)."""
    until, total = time.thread_time() + ms / 1000, 0
    while time.thread_time() < until:
        for i in range(2000):
            total += i * i % 7
    return total


def check_password(token):
    """A password hash, about 30 ms of CPU here; hashlib lets go of the GIL while it computes."""
    return hashlib.pbkdf2_hmac("sha256", token.encode(), b"corpus-salt", 150_000).hex()


PROCESSES = ProcessPoolExecutor(max_workers=2)  # made once, at start-up, for the fixes that ask for a process pool
