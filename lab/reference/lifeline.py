"""Tie a process's life to its parent's, so no server outlives the `lab` that started it.

Linux's prctl(PR_SET_PDEATHSIG, SIGKILL): the kernel kills this process when its parent dies,
even when the parent is killed with SIGKILL and can clean up nothing itself.
"""
import ctypes
import os
import signal

PR_SET_PDEATHSIG = 1


def die_with_parent(parent=None, sig=signal.SIGKILL):
    """Ask for `sig` (SIGKILL; SIGTERM for a process that stops its own children first) when the
    parent dies; exit now if it already has (or is not `parent`)."""
    expected = os.getppid() if parent is None else parent
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != expected:  # the parent died before the request took effect
        os._exit(1)


def parent_of(pid):
    """The parent pid of `pid`, from /proc; 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return 0


def die_with_grandparent(grandparent):
    """For a uvicorn worker (serve.py -> uvicorn -> worker): die with its parent, and exit now if
    that parent is no longer the child of `grandparent` (uvicorn died, and this process was handed
    to another). With one worker, uvicorn runs the app itself: then `grandparent` is the parent."""
    die_with_parent()
    parent = os.getppid()
    if parent != grandparent and parent_of(parent) != grandparent:
        os._exit(1)
