"""The loop's own account, as the lab's servers keep it (LoopMonitor): its longest busy stretch
and its timer's worst lag since the last reset. One instrument for the probe around a student's
app (app_probe.py) and the FastAPI twins (apps.py), so both rows' "loop blocked" is measured
the same way. Only the stdlib's SelectorEventLoop can be watched (uvloop has no selector to wrap)."""
import time

TICK_S = 0.005  # the lag timer's period, as the lab's servers' (LoopMonitor::tick)


class WatchedSelector:
    """Stands in for the loop's selector to time the loop's busy stretches.

    The loop calls select() once a turn: with timeout 0 while work is ready (it will not wait),
    else with the time to its next timer, or None. A busy stretch runs from one wait's return to
    the next wait, so handlers that block one after another (time.sleep in `async def`) make one
    stretch: the lesson's figure. (asyncio's debug mode names single slow callbacks only.)
    """

    def __init__(self, selector):
        self.inner, self.most_s, self.busy_since = selector, 0.0, time.monotonic()

    def select(self, timeout=None):
        waits = timeout is None or timeout > 0
        if waits:
            self.most_s = max(self.most_s, time.monotonic() - self.busy_since)
        events = self.inner.select(timeout)
        if waits:
            self.busy_since = time.monotonic()
        return events

    def __getattr__(self, name):  # register, modify, get_map, close...: the real selector's
        return getattr(self.inner, name)


class LoopWatch:
    """A loop's longest busy stretch and its worst lag (a timer due every 5 ms) since the last
    reset: the figures the lab's servers report (LoopMonitor)."""

    def __init__(self, loop):
        self.loop, self.max_lag_s, self.selector = loop, 0.0, None
        if getattr(loop, "_selector", None) is not None:  # the stdlib SelectorEventLoop (--loop asyncio)
            self.selector = loop._selector = WatchedSelector(loop._selector)
        self.due = loop.time() + TICK_S
        loop.call_at(self.due, self.tick)

    def tick(self):
        now = self.loop.time()
        self.max_lag_s = max(self.max_lag_s, now - self.due)
        self.due = now + TICK_S
        self.loop.call_at(self.due, self.tick)

    def figures(self, reset):
        """(blocked ms, or -1 with no selector to watch; lag ms), counting the stretch the loop is
        in and a timer overdue now, as the lab's servers do; then reset if asked."""
        lag_ms = max(self.max_lag_s, self.loop.time() - self.due, 0.0) * 1000
        blocked_ms, now, watched = -1.0, time.monotonic(), self.selector
        if watched is not None:
            blocked_ms = max(watched.most_s, now - watched.busy_since) * 1000
        if reset:
            self.max_lag_s = 0.0
            if watched is not None:
                watched.most_s, watched.busy_since = 0.0, now
        return round(blocked_ms, 3), round(lag_ms, 3)
