"""Nothing a server starts outlives it, however it left its parent.

A process that starts a server (serve.py) becomes a subreaper (Linux's prctl
PR_SET_CHILD_SUBREAPER): every process below it whose parent dies, a double-forked daemon, a
setsid one, a multiprocessing child of a uvicorn that was killed, becomes its child rather than
init's. So all that the server started stays below it, and when it stops it kills each of them
by pid (never by name) and reaps them: the tree is read from /proc's parent links.

An app could still leave it by killing or stopping this process: `lab` starts this process as
the first of a PID namespace of its own (lab/containment/server_namespace.hpp), where the app can do
neither, and /proc shows that namespace, so the pids read here are the namespace's.
"""
import ctypes
import os
import signal
import time

PR_SET_CHILD_SUBREAPER = 36
SHOWN_CHARS = 60  # of each process's command line, in what is said of it


def become_subreaper():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")


def own_proc():
    """Whether /proc shows this process's own PID namespace. An app may unmount the namespace's
    /proc; the machine's then shows through, whose pids are no process of this namespace (and
    whose parent links lead to the machine's own processes): none of them is ours to name."""
    try:
        return os.readlink("/proc/self") == str(os.getpid())
    except OSError:
        return False


def parents():
    """pid -> parent pid of every living process (zombies left out: they are gone but for a reap)."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z":
            found[int(entry)] = int(fields[1])
    return found


def children(pid):
    """The living processes whose parent is `pid` (uvicorn's --workers processes)."""
    return [child for child, parent in parents().items() if parent == pid]


def descendants(root):
    """Every living process below `root`, by the parent links."""
    links, below, grew = parents(), {root}, True
    while grew:
        more = {pid for pid, parent in links.items() if parent in below} - below
        below |= more
        grew = bool(more)
    return sorted(below - {root})


def shown(pid):
    """'4242 sleep 300': the pid and the start of its command line (its name if it has none)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            words = f.read(4096).replace(b"\0", b" ").decode(errors="replace").strip()
        if not words:
            with open(f"/proc/{pid}/comm") as f:
                words = f.read().strip()
    except OSError:
        words = "?"
    return f"{pid} {words[:SHOWN_CHARS]}"


def reap_children():
    """Collects every child that has exited (ours, and those handed to us as the subreaper)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def end_all(give_up_s=2.0):
    """Kills every process below this one with SIGKILL, by pid, until none is left (what one
    forks as it is killed is found on the next pass), reaping each. Returns how each was shown, in the order found."""
    root = os.getpid()
    stopped = {}
    deadline = time.monotonic() + give_up_s
    while time.monotonic() < deadline:
        left = descendants(root)
        if not left:
            break
        for pid in left:
            stopped.setdefault(pid, shown(pid))
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.01)
        reap_children()
    reap_children()
    return list(stopped.values())


def said(stopped, whose):
    """'stopped 3 processes your app left: 11 sleep 300, 12 python3 ..., 13 ...' (at most five named)."""
    names = ", ".join(stopped[:5]) + (f" and {len(stopped) - 5} more" if len(stopped) > 5 else "")
    return f"stopped {len(stopped)} process{'es' if len(stopped) != 1 else ''} {whose} left: {names}"
