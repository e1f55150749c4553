"""Work done ahead in a child process (子进程中的预先工作): started where a command knows it will
need it, taken where it is needed. The child is a fork of the command: it holds nothing open of
the command's (a lock's file would stay locked while it runs), runs nothing of the command's on
leaving, and says what it found through a pipe of its own; a command that cannot fork, or gets
nothing, does the work itself. (This module imports only the standard library: a command forks
before it loads its models.)"""

from __future__ import annotations

import gc
import os
from typing import Callable

_MAX_FD = 1 << 20


def may_fork() -> bool:
    """Whether work may run in a child process: a system with fork and more than one core, and
    this process running no other thread (a child forked beside one may find its locks held)."""
    import threading

    if not hasattr(os, "fork") or threading.active_count() != 1:
        return False
    try:
        return len(os.sched_getaffinity(0)) > 1
    except (AttributeError, OSError):
        return (os.cpu_count() or 1) > 1


def running_now() -> int | None:
    """The processes running or ready to run at this moment, this one included (Linux: the
    fourth field of /proc/loadavg, ``2/93``); None where the system does not say."""
    try:
        with open("/proc/loadavg", "rb") as fh:
            return int(fh.read().split()[3].split(b"/")[0])
    except (OSError, ValueError, IndexError):
        return None


def core_free() -> bool:
    """Whether one more busy process is likely to find a core of its own: fewer processes
    running or ready to run right now than the cores (this one among them), where the system
    says (Linux); else the load average of the last minute below the cores (as ``make -l``
    judges). On a machine already busy a child that only moves work off the command's path adds
    to what every process waits for. (The minute's average lags: after a minute of writing to
    the disk it stays above the cores of a machine now idle, processes waiting for the disk
    counted as busy, and the children were left out where they would have helped.)"""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    running = running_now()
    if running is not None:
        return running < cores
    try:
        return os.getloadavg()[0] < cores
    except (AttributeError, OSError):
        return True


def started(work: Callable[[], bytes]) -> tuple[int, int] | None:
    """(pid, the read end of its pipe) of a child process that writes ``work()`` to its pipe and
    ends; None where none could be started."""
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:  # the child: work, say what it found, and leave without running anything of the parent's
        try:
            # No cycle collections in the child, which lives for a fraction of a second: each one
            # walks every object of the parent's it was forked with, writing to each object's
            # header, so every page it visits is copied (2,000 page faults at 100,000 records).
            gc.disable()
            os.closerange(3, write_end)
            os.closerange(write_end + 1, _MAX_FD)
            found = memoryview(work())
            while found:
                found = found[os.write(write_end, found):]
        finally:
            os._exit(0)
    os.close(write_end)
    return pid, read_end


def said(pid: int, read_end: int) -> bytes:
    """All a child wrote to its pipe, once it has ended (b"" where the pipe failed)."""
    chunks = []
    try:
        while chunk := os.read(read_end, 1 << 20):
            chunks.append(chunk)
    except OSError:
        chunks = []
    finally:
        os.close(read_end)
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
    return b"".join(chunks)


def ended(pid: int, read_end: int) -> None:
    """End a child whose result is no longer wanted (killed, if it is still at work) and reap it."""
    import signal

    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    said(pid, read_end)
