#!/usr/bin/python3
"""A page as a phone shows it: Chromium's DevTools protocol sets a 375 x 667 mobile viewport (a
headless window is 500 wide at least, and --dump-dom has no other way), loads URL, waits up to 15 s
for the JavaScript READY to be true, and prints the JSON of the JavaScript WHAT, evaluated then.

    /usr/bin/python3 tests/phone_view.py URL READY WHAT

Chromium runs in a process group of its own, killed (by its id) on the way out."""
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

import websockets


async def evaluate(socket, expression):
    """One Runtime.evaluate: its value (returned by value), or None."""
    await socket.send(json.dumps({"id": 1, "method": "Runtime.evaluate",
                                  "params": {"expression": expression, "returnByValue": True}}))
    while True:
        answer = json.loads(await socket.recv())
        if answer.get("id") == 1:
            return answer.get("result", {}).get("result", {}).get("value")


async def phone(debugger, url, ready, what):
    async with websockets.connect(debugger, max_size=None) as socket:
        for n, (method, params) in enumerate([
                ("Emulation.setDeviceMetricsOverride", {"width": 375, "height": 667, "deviceScaleFactor": 2,
                                                        "mobile": True}),
                ("Page.navigate", {"url": url})], start=2):
            await socket.send(json.dumps({"id": n, "method": method, "params": params}))
            while json.loads(await socket.recv()).get("id") != n:
                pass
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            found = await evaluate(socket, f"({ready}) ? JSON.stringify({what}) : ''")
            if found:
                return found
            await asyncio.sleep(0.1)
        return "{}"


def main(url, ready, what):
    with tempfile.TemporaryDirectory() as profile:
        chromium = subprocess.Popen(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--remote-debugging-port=0",
             f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            port_file, deadline = os.path.join(profile, "DevToolsActivePort"), time.monotonic() + 20
            while not os.path.exists(port_file) and time.monotonic() < deadline:
                time.sleep(0.1)
            with open(port_file) as f:
                port = f.read().split()[0]
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as listing:
                pages = json.load(listing)
            debugger = next(p["webSocketDebuggerUrl"] for p in pages if p["type"] == "page")
            print(asyncio.run(phone(debugger, url, ready, what)))
        finally:
            os.killpg(chromium.pid, signal.SIGKILL)
            chromium.wait()


if __name__ == "__main__":
    main(*sys.argv[1:4])
