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
        self.inner, self.busy_since = selector, time.monotonic()
        # Each reader's longest stretch since its own reset, and when that was: /__lab/stats (a
        # doctor's burst, a lesson's batch) and /__lab/limiters (a ramp's step) reset theirs apart,
        # and a stretch counts for a reader only from its reset on.
        self.most_s = {"stats": 0.0, "limiters": 0.0}
        self.reset_at = dict.fromkeys(self.most_s, self.busy_since)

    def stretch_s(self, reader, now):
        return now - max(self.busy_since, self.reset_at[reader])

    def select(self, timeout=None):
        waits = timeout is None or timeout > 0
        if waits:
            now = time.monotonic()
            for reader, most in self.most_s.items():
                self.most_s[reader] = max(most, self.stretch_s(reader, now))
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
        if reset:
            self.max_lag_s = 0.0
        return self.held_ms(reset), round(lag_ms, 3)

    def held_ms(self, reset, reader="stats"):
        """The longest stretch since `reader`'s last reset, the one the loop is in counted (-1
        with no selector to watch); then `reader`'s reset if asked."""
        watched, now = self.selector, time.monotonic()
        if watched is None:
            return -1.0
        held_s = max(watched.most_s[reader], watched.stretch_s(reader, now))
        if reset:
            watched.most_s[reader], watched.reset_at[reader] = 0.0, now
        return round(held_s * 1000, 3)
