"""Nothing a server starts outlives it, however it left its parent.

A process that starts a server (serve.py) becomes a subreaper (Linux's prctl
PR_SET_CHILD_SUBREAPER): every process below it whose parent dies, a double-forked daemon, a
setsid one, a multiprocessing child of a uvicorn that was killed, becomes its child rather than
init's. So all that the server started stays below it, and when it stops it kills each of them
by pid (never by name) and reaps them: the tree is read from /proc's parent links.

Where the machine allows it (cgroup v2, and this process may make a folder under its own cgroup:
root on a VM, a delegated cgroup), uvicorn also runs in a cgroup of its own, and stopping kills
that cgroup whole first (cgroup.kill, else each pid of cgroup.procs): a process cannot leave it by
forking or by changing its session. Elsewhere (cgroup v1, a read-only /sys/fs/cgroup) the subreaper
alone does the work.
"""
import ctypes
import os
import signal
import time

PR_SET_CHILD_SUBREAPER = 36
CGROUP_ROOT = "/sys/fs/cgroup"
SHOWN_CHARS = 60  # of each process's command line, in what is said of it


def become_subreaper():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")


def cgroup_of_our_own():
    """A new cgroup v2 folder beside this process's own (inside it), for what it starts; None where
    the machine has no cgroup v2 or does not let this process make one."""
    try:
        with open("/proc/self/cgroup") as f:
            own = next((line[3:].strip() for line in f if line.startswith("0::")), None)
        if own is None or not os.path.exists(f"{CGROUP_ROOT}/cgroup.controllers"):
            return None
        folder = f"{CGROUP_ROOT}{own.rstrip('/')}/lab-server-{os.getpid()}"
        os.mkdir(folder)
        return folder
    except OSError:
        return None


def enter(folder):
    """Moves the calling process (a child, before it execs) into `folder`; where it cannot, it stays
    where it is, under the subreaper."""
    if folder:
        try:
            with open(f"{folder}/cgroup.procs", "w") as f:
                f.write("0")
        except OSError:
            pass


def members(folder):
    """The pids in a cgroup folder (none if it cannot be read)."""
    try:
        with open(f"{folder}/cgroup.procs") as f:
            return [int(pid) for pid in f.read().split()]
    except (OSError, ValueError):
        return []


def end_cgroup(folder, give_up_s=2.0):
    """Kills every process of `folder` (cgroup.kill, else by the pids it lists) and removes the
    folder once it is empty. Returns how each was shown."""
    stopped = [shown(pid) for pid in members(folder)]
    try:
        with open(f"{folder}/cgroup.kill", "w") as f:
            f.write("1")
    except OSError:
        pass  # (Linux before 5.14: by pid, below)
    deadline = time.monotonic() + give_up_s
    while (left := members(folder)) and time.monotonic() < deadline:
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.01)
    try:
        os.rmdir(folder)
    except OSError:
        pass
    return stopped


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


def end_all(cgroup=None, give_up_s=2.0):
    """Kills the processes of `cgroup` (if any), then every process below this one with SIGKILL,
    by pid, until none is left (what one forks as it is killed is found on the next pass),
    reaping each. Returns how each was shown, in the order found."""
    root = os.getpid()
    stopped = {int(text.split()[0]): text for text in (end_cgroup(cgroup) if cgroup else [])}
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
