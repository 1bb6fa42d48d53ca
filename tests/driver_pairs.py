#!/usr/bin/python3
"""Each driver pair reads like the mode pair: the blocking and the awaiting function of one
library take the same steps, line for line, and differ only in how they wait for the socket
(lab/drivers/socket_wait.hpp): `wait_until(exchange.socket(), READY)` against
`co_await socket.until(READY)`, the awaiting one's `Watched` socket, and `return` against
`co_return`. Comments may differ: they say how each waits.

    /usr/bin/python3 tests/driver_pairs.py [CHECKOUT]    # exit 1 and the lines that differ otherwise
"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent.parent)
PAIRS = [("lab/drivers/postgres.cpp", "ask_blocking", "ask_awaiting"),
         ("lab/drivers/redis.cpp", "cache_call_blocking", "cache_call_awaiting"),
         ("lab/drivers/http_client.cpp", "call_downstream_blocking", "call_downstream_awaiting")]


def body(text, name):
    """The lines between the function's opening line and its closing brace at column 0."""
    start = re.search(r"^[^\n]*\b" + name + r"\([^\n]*\{\n", text, re.M)
    if not start:
        return None
    end = text.index("\n}\n", start.end())
    return text[start.end():end].splitlines()


BLOCKING_WAIT, AWAITING_WAIT = "wait_until(exchange.socket(), ", "co_await socket.until("


def steps(lines, awaiting):
    """The lines as steps: comments gone, each side's own way of waiting written alike. A side that
    waits the other's way (the loop blocked by wait_until, say) keeps that line as it is, and so
    differs from its twin."""
    out = []
    for line in lines:
        line = line.split("//")[0].strip()
        if not line or (awaiting and line.startswith("Watched ")):
            continue
        line = line.replace(AWAITING_WAIT if awaiting else BLOCKING_WAIT, "WAIT(")
        out.append(line.replace("co_return ", "return ") if awaiting else line)
    return out


problems = []
for file, blocking, awaiting in PAIRS:
    text = (root / file).read_text()
    one, other = body(text, blocking), body(text, awaiting)
    if one is None or other is None:
        problems.append(f"{file}: no function {blocking if one is None else awaiting}")
        continue
    a, b = steps(one, False), steps(other, True)
    if a != b:
        for k in range(max(len(a), len(b))):
            x, y = (a[k] if k < len(a) else "(none)"), (b[k] if k < len(b) else "(none)")
            if x != y:
                problems.append(f"{file}: step {k + 1}: {blocking} has `{x}`, {awaiting} `{y}`")
        continue
    if not any("WAIT(" in step for step in a):
        problems.append(f"{file}: {blocking} and {awaiting} never wait for the socket")

for problem in problems:
    print(problem)
print(f"{len(PAIRS)} driver pairs: {'differ in their waiting lines only' if not problems else str(len(problems)) + ' difference(s) besides waiting'}")
sys.exit(1 if problems else 0)
