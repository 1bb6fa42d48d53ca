"""The currency vendor's SDK, as vendors ship them: a plain blocking function (no async version).

Stands in for `requests.get(...)` to a slow API: 80 ms of waiting on the network.
"""
import time


def exchange_rate(currency="EUR"):
    time.sleep(0.08)  # the vendor's HTTP call; the loop's thread waits here when called from async def
    return {"EUR": 0.92, "GBP": 0.79}.get(currency, 1.0)
