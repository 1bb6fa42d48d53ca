"""What the corpus's routes do, written as people write it: CPU in pure Python, a password hash."""
import hashlib
import time


def burn(ms):
    """Computes for `ms` milliseconds of this thread's CPU time (the same on a busy machine)."""
    until, total = time.thread_time() + ms / 1000, 0
    while time.thread_time() < until:
        for i in range(2000):
            total += i * i % 7
    return total


def rounds_for(ms):
    """The pbkdf2 rounds a hash takes `ms` of CPU for on this machine (the least of three timings
    of 20,000): a fixed count took 30 ms on one machine and 50 ms on another, and the doctor sends
    50 ms of CPU a request to a process pool. The corpus's one concession to the machine it runs on."""
    took = []
    for _ in range(3):
        start = time.thread_time()
        hashlib.pbkdf2_hmac("sha256", b"token", b"corpus-salt", 20_000)
        took.append(time.thread_time() - start)
    return max(1_000, int(20_000 * ms / 1000 / max(min(took), 1e-4)))


ROUNDS = rounds_for(30)  # between the doctor's 20 ms hold and its 50 ms process pool


def check_password(token):
    """A password hash, about 30 ms of CPU; hashlib lets go of the GIL while it computes."""
    return hashlib.pbkdf2_hmac("sha256", token.encode(), b"corpus-salt", ROUNDS).hex()
