"""The application in a pseudo-terminal, for tests: output drained all along, every wait bounded.

A test that stops reading a pty after the first screen lets the pty's buffer fill; the
child then blocks writing its next frame and a test waiting for it to exit waits forever
(seen on a loaded machine). Here a thread reads everything the child writes until it
ends, and every wait has a deadline after which the child is killed.
"""

from __future__ import annotations

import os
import pty
import select
import signal
import sys
import threading
import time
from typing import Sequence


class PtyApp:
    """``coordtui`` with ``args`` in a terminal of 80×24 by default."""

    def __init__(self, args: Sequence[str], *, env: dict[str, str] | None = None, unset: Sequence[str] = ("NO_COLOR",),
                 cols: int = 80, rows: int = 24) -> None:
        self._out = bytearray()
        self._lock = threading.Lock()
        self.status: int | None = None
        pid, fd = pty.fork()
        if pid == 0:  # the child: the application
            for name in unset:
                os.environ.pop(name, None)
            os.environ.update({"TERM": "xterm-256color", "COLUMNS": str(cols), "LINES": str(rows), **(env or {})})
            os.execv(sys.executable, [sys.executable, "-m", "coordtui.cli", *args])
        self.pid, self.fd = pid, fd
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        while True:
            try:
                ready, _, _ = select.select([self.fd], [], [], 0.1)
            except (OSError, ValueError):
                return
            if not ready:
                if self.status is not None:
                    return
                continue
            try:
                data = os.read(self.fd, 65536)
            except OSError:  # the child closed the terminal
                return
            if not data:
                return
            with self._lock:
                self._out += data

    @property
    def output(self) -> bytes:
        with self._lock:
            return bytes(self._out)

    def wait_for(self, text: str, timeout: float = 30) -> bool:
        """True once ``text`` has appeared in the output, False after ``timeout`` seconds."""
        wanted, deadline = text.encode(), time.monotonic() + timeout
        while time.monotonic() < deadline:
            if wanted in self.output:
                return True
            if self.poll() is not None:
                return wanted in self.output
            time.sleep(0.05)
        return False

    def write(self, data: str | bytes) -> None:
        os.write(self.fd, data.encode() if isinstance(data, str) else data)

    def signal(self, sig: int) -> None:
        os.kill(self.pid, sig)

    def poll(self) -> int | None:
        if self.status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = status
        return self.status

    def wait(self, timeout: float = 30) -> int:
        """The child's wait status; killed (and the test told so) when it does not end in time."""
        deadline = time.monotonic() + timeout
        while self.poll() is None:
            if time.monotonic() >= deadline:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
                raise AssertionError(f"the application did not end within {timeout:g} s; its last output: {self.output[-500:]!r}")
            time.sleep(0.05)
        return self.status

    def close(self) -> None:
        if self.poll() is None:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.status = -signal.SIGKILL
        self._reader.join(5)
        try:
            os.close(self.fd)
        except OSError:
            pass

    def __enter__(self) -> "PtyApp":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
