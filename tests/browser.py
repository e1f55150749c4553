"""A headless Chromium driven over the DevTools protocol, for the ``coordtui serve`` test.

The served page draws the terminal on a canvas, so its text is not in the DOM; what
the browser *received* is: every websocket frame the page gets from the server is
reported by the DevTools protocol (``Network.webSocketFrameReceived``). ``screen_text``
is the terminal output the page received, escape sequences removed. Keys go in as the
user's would: focus on the terminal's input element, then ``Input.insertText`` /
``Input.dispatchKeyEvent``.

Only aiohttp (which textual-serve already needs) is used: no browser download.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import aiohttp

CHROMIUM_FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--window-size=1280,800", "--remote-debugging-port=0",
]
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][A-Za-z0-9]|\x1b[=>78]|[\x00-\x08\x0e-\x1f]")


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


class Browser:
    """``async with Browser() as b: await b.open(url); await b.wait_for_text("…")``."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future] = {}
        self._frames: list[bytes] = []
        self.opened_sockets: list[str] = []

    async def __aenter__(self) -> "Browser":
        self._profile = tempfile.TemporaryDirectory(prefix="coordtui-chromium-", ignore_cleanup_errors=True)
        self._proc = subprocess.Popen([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={self._profile.name}", "about:blank"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        port_file = Path(self._profile.name) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            if time.monotonic() > deadline or self._proc.poll() is not None:
                raise RuntimeError("chromium did not start its DevTools endpoint")
            await asyncio.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        self._http = aiohttp.ClientSession()
        async with self._http.get(f"http://127.0.0.1:{port}/json") as response:
            targets = await response.json(content_type=None)
        page = next(t for t in targets if t["type"] == "page")
        self._ws = await self._http.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0)
        self._reader = asyncio.create_task(self._read())
        await self.call("Network.enable")
        await self.call("Page.enable")
        return self

    async def __aexit__(self, *exc) -> None:
        self._reader.cancel()
        await self._ws.close()
        await self._http.close()
        os.killpg(self._proc.pid, signal.SIGTERM)  # the browser and its renderer and zygote processes
        try:
            self._proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self._proc.pid, signal.SIGKILL)
            self._proc.wait(10)
        self._profile.cleanup()

    async def _read(self) -> None:
        async for message in self._ws:
            data = json.loads(message.data)
            if "id" in data:
                future = self._pending.pop(data["id"], None)
                if future and not future.done():
                    future.set_result(data)
            elif data.get("method") == "Network.webSocketCreated":
                self.opened_sockets.append(data["params"]["url"])
            elif data.get("method") == "Network.webSocketFrameReceived":
                frame = data["params"]["response"]
                payload = frame["payloadData"]
                self._frames.append(base64.b64decode(payload) if frame["opcode"] == 2 else payload.encode())

    async def call(self, method: str, **params) -> dict:
        message_id = next(self._ids)
        future = asyncio.get_running_loop().create_future()
        self._pending[message_id] = future
        await self._ws.send_str(json.dumps({"id": message_id, "method": method, "params": params}))
        reply = await asyncio.wait_for(future, 30)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    async def open(self, url: str) -> None:
        await self.call("Page.navigate", url=url)

    def screen_text(self) -> str:
        """Everything the page's terminal received so far, as text."""
        return _ESCAPES.sub("", b"".join(self._frames).decode("utf-8", "replace"))

    def mark(self) -> int:
        """A position in the received output; ``wait_for_text(since=…)`` looks only after it."""
        return len(self._frames)

    async def wait_for_text(self, *needles: str, since: int = 0, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while True:
            text = _ESCAPES.sub("", b"".join(self._frames[since:]).decode("utf-8", "replace"))
            if all(n in text for n in needles):
                return text
            if time.monotonic() > deadline:
                missing = [n for n in needles if n not in text]
                raise AssertionError(f"the page never showed {missing}; it received: {text[-1500:]!r}")
            await asyncio.sleep(0.2)

    async def press(self, key: str) -> None:
        """Type one key into the terminal as the user would."""
        await self.call("Runtime.evaluate", expression="document.querySelector('.xterm-helper-textarea').focus()")
        await self.call("Input.insertText", text=key)

    async def fill(self, selector: str, value: str) -> None:
        """Type ``value`` into the form field ``selector`` (focused, then typed as keys would be)."""
        await self.call("Runtime.evaluate", expression=f"document.querySelector({json.dumps(selector)}).focus()")
        await self.call("Input.insertText", text=value)

    async def submit(self, form: str) -> None:
        await self.call("Runtime.evaluate", expression=f"document.querySelector({json.dumps(form)}).requestSubmit()")

    async def evaluate(self, expression: str):
        """The value of a JavaScript expression in the page."""
        reply = await self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        return reply.get("result", {}).get("value")

    async def wait_for_page(self, *needles: str, timeout: float = 30) -> str:
        """Wait until the page's location and visible text hold every needle; returns them."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                seen = await self.evaluate("location.href + '\\n' + (document.body ? document.body.innerText : '')") or ""
            except RuntimeError:  # the page is navigating
                seen = ""
            if all(n in seen for n in needles):
                return seen
            if time.monotonic() > deadline:
                raise AssertionError(f"the page never showed {[n for n in needles if n not in seen]}; it shows: {seen[:800]!r}")
            await asyncio.sleep(0.2)

    async def cookies(self) -> dict[str, str]:
        reply = await self.call("Network.getCookies")
        return {c["name"]: c["value"] for c in reply.get("cookies", [])}

    def forget_frames(self) -> None:
        """Drop what the terminal received so far (a new tab's screen is looked at alone)."""
        self._frames.clear()
